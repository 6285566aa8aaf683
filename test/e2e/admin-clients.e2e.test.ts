import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { BrowserContext } from 'playwright-core';
import type { Database } from '../../src/db/database.ts';
import { randomToken, sha256Hex } from '../../src/lib/crypto.ts';
import { openTestDatabase } from '../helpers/test-app.ts';
import { browserSkipReason, launchBrowser } from './helpers/browser.ts';
import { type RunningServer, startServer } from './helpers/server.ts';

const staticApiKey = 'e2e-static-api-key-0123456789';

describe('admin creates a group-restricted client in Chromium; a real RP signs users in', {
  skip: browserSkipReason(),
}, () => {
  let server: RunningServer;
  let db: Database;
  before(async () => {
    server = await startServer({ db: 'sqlite', env: { STATIC_API_KEY: staticApiKey } });
    db = openTestDatabase(server.testDatabase);
  });
  after(async () => {
    await db?.destroy();
    await server?.close();
  });

  /** Provisioning through the REST API, as a script would. */
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        'x-api-key': staticApiKey,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return (await response.json()) as T;
  }

  /** A session row with a known token, as a passkey sign-in would create; returns the cookie value. */
  async function sessionFor(userId: string): Promise<string> {
    const token = randomToken();
    const now = new Date();
    await db
      .insertInto('sessions')
      .values({
        id: randomUUID(),
        token_hash: sha256Hex(token),
        user_id: userId,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + 3600_000).toISOString(),
        auth_time: now.toISOString(),
        amr: JSON.stringify(['phr']),
        ip_address: '127.0.0.1',
        user_agent: 'e2e',
      })
      .execute();
    return token;
  }

  const signIn = async (context: BrowserContext, userId: string) =>
    context.addCookies([{ name: 'access_token', value: await sessionFor(userId), url: server.url }]);

  it('copies the discovery URL and secret from the screen; an outsider is refused and a member gets in', async () => {
    const admin = await api<{ id: string }>('POST', '/api/users', {
      username: 'alice',
      email: 'alice@example.com',
      isAdmin: true,
    });
    const member = await api<{ id: string }>('POST', '/api/users', {
      username: 'bob',
      email: 'bob@example.com',
    });
    const outsider = await api<{ id: string }>('POST', '/api/users', {
      username: 'carol',
      email: 'carol@example.com',
    });
    const group = await api<{ id: string }>('POST', '/api/user-groups', {
      friendlyName: 'Developers',
      name: 'developers',
    });
    await api('PUT', `/api/user-groups/${group.id}/users`, { userIds: [member.id] });
    const redirectUri = `${server.url}/rp/callback`;

    const session = await launchBrowser();
    try {
      const { page, context } = session;
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await signIn(context, admin.id);

      // The admin creates the client on the screen.
      await page.goto(`${server.url}/settings/admin/oidc-clients/new`);
      await page.getByTestId('client-form-name').fill('Team wiki');
      await page.getByTestId('client-form-callbackURLs').fill(redirectUri);
      await page.getByTestId('client-form-save').click();
      await page.getByTestId('endpoints-panel').waitFor();

      // Values come from the copy buttons (the clipboard) and match what the screen shows.
      const copied = async (testId: string) => {
        await page.getByTestId(`${testId}-copy`).click();
        const text = String(await page.evaluate('navigator.clipboard.readText()'));
        assert.equal(text, await page.getByTestId(testId).inputValue());
        return text;
      };
      const clientId = await copied('endpoint-client-id');
      const discoveryUrl = await copied('endpoint-discovery');
      assert.equal(discoveryUrl, `${server.url}/.well-known/openid-configuration`);
      assert.equal(await page.getByTestId('endpoint-token').inputValue(), `${server.url}/api/oidc/token`);
      await page.getByTestId('secret-create').click();
      await page.getByTestId('secret-plaintext').waitFor();
      const secret = await copied('secret-plaintext');
      assert.match(secret, /^[A-Za-z0-9]{32}$/);

      // Restrict the client to the group.
      await page.getByTestId('client-form-isGroupRestricted').check({ force: true });
      await page.getByTestId('client-form-save').click();
      await page.getByTestId('allowed-groups-select').click();
      await page.getByRole('option', { name: 'Developers' }).click();
      await page.getByTestId('allowed-groups-save').click();
      await expectEventually(async () => {
        const stored = await api<{ isGroupRestricted: boolean; allowedUserGroups: { id: string }[] }>(
          'GET',
          `/api/oidc/clients/${encodeURIComponent(clientId)}`,
        );
        return stored.isGroupRestricted && stored.allowedUserGroups.map((g) => g.id).join() === group.id;
      });

      // The preview panel shows what the member would get.
      await page.getByTestId('preview-user').click();
      await page.getByTestId('preview-user').fill('bob');
      await page.getByRole('option', { name: /bob/ }).click();
      await page.getByTestId('preview-run').click();
      const userInfo = JSON.parse(String(await page.getByTestId('preview-userInfo').textContent()));
      assert.equal(userInfo.sub, member.id);
      assert.deepEqual(userInfo.groups, ['developers']);

      // A relying party configured only from the copied values.
      const config = await oidc.discovery(new URL(discoveryUrl), clientId, secret, undefined, {
        execute: [oidc.allowInsecureRequests],
      });
      const startLogin = async () => {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid profile email groups',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        });
        return { url, verifier, state };
      };

      // A user outside the group is refused.
      const outsiderContext = await session.browser.newContext();
      try {
        await signIn(outsiderContext, outsider.id);
        const outsiderPage = await outsiderContext.newPage();
        await outsiderPage.goto((await startLogin()).url.href);
        // Refused at once, before any consent screen.
        await outsiderPage.waitForURL(/\/interaction\/error\?error=access_denied/);
        await outsiderPage.getByText('Access denied').waitFor();
        const consent = await db
          .selectFrom('user_authorized_oidc_clients')
          .select('client_id')
          .where('user_id', '=', outsider.id)
          .execute();
        assert.deepEqual(consent, []);
      } finally {
        await outsiderContext.close();
      }

      // A member gets in and the RP receives the group.
      const memberContext = await session.browser.newContext();
      try {
        await signIn(memberContext, member.id);
        const memberPage = await memberContext.newPage();
        const login = await startLogin();
        await memberPage.goto(login.url.href);
        await memberPage.getByTestId('consent-approve').click();
        await memberPage.waitForURL((url) => url.pathname === '/rp/callback');
        const tokens = await oidc.authorizationCodeGrant(config, new URL(memberPage.url()), {
          pkceCodeVerifier: login.verifier,
          expectedState: login.state,
        });
        const claims = tokens.claims();
        assert.equal(claims?.sub, member.id);
        assert.deepEqual(claims?.groups, ['developers']);
      } finally {
        await memberContext.close();
      }
      assert.deepEqual(session.errors(), []);
    } finally {
      await session.close();
    }
  });
});

async function expectEventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
