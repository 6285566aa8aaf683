import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { requireAllEngines } from '../../helpers/test-app.ts';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether browser tests can run here; with LATCH_REQUIRE_ALL=1 a missing Chromium is an error, not a skip. */
export function browserSkipReason(): string | false {
  if (existsSync(chromiumPath)) return false;
  if (requireAllEngines) throw new Error(`Chromium is required but missing at ${chromiumPath}`);
  return `Chromium not found at ${chromiumPath} (apt-get install chromium)`;
}

export interface VirtualAuthenticator {
  readonly cdp: CDPSession;
  readonly authenticatorId: string;
  /** Credentials stored in this authenticator (private keys included), as CDP reports them. */
  credentials(): Promise<CdpCredential[]>;
  addCredential(credential: CdpCredential): Promise<void>;
  removeAll(): Promise<void>;
}

export interface CdpCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

export interface AuthenticatorOptions {
  readonly isUserVerified?: boolean;
  readonly hasUserVerification?: boolean;
  readonly backupEligible?: boolean;
}

/** Adds a CTAP2 platform authenticator (resident keys, user verification) to one tab. */
export async function addVirtualAuthenticator(
  page: Page,
  options: AuthenticatorOptions = {},
): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: options.hasUserVerification ?? true,
      isUserVerified: options.isUserVerified ?? true,
      automaticPresenceSimulation: true,
      ...(options.backupEligible !== undefined && {
        defaultBackupEligibility: options.backupEligible,
        defaultBackupState: options.backupEligible,
      }),
    },
  });
  return {
    cdp,
    authenticatorId,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials as CdpCredential[];
    },
    async addCredential(credential) {
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
    async removeAll() {
      await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
    },
  };
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly authenticator: VirtualAuthenticator;
  /** A new tab that already has its own virtual authenticator. */
  newPageWithAuthenticator(
    options?: AuthenticatorOptions,
  ): Promise<{ page: Page; authenticator: VirtualAuthenticator }>;
  /** Console errors and page errors seen so far, to assert a clean run. */
  errors(): string[];
  close(): Promise<void>;
}

export async function launchBrowser(options: AuthenticatorOptions = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext();
  context.setDefaultTimeout(30_000);
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  };
  const page = await context.newPage();
  watch(page);
  const authenticator = await addVirtualAuthenticator(page, options);
  return {
    browser,
    context,
    page,
    authenticator,
    async newPageWithAuthenticator(pageOptions = {}) {
      const newPage = await context.newPage();
      watch(newPage);
      return { page: newPage, authenticator: await addVirtualAuthenticator(newPage, pageOptions) };
    },
    errors: () => [...errors],
    async close() {
      await browser.close();
    },
  };
}
