import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createOneTimeAccessToken } from '../../src/modules/one-time-access/service.ts';
import { insertUser } from '../../src/modules/users/repository.ts';
import { createCookieJar } from './cookie-jar.ts';
import {
  type CeremonyOverrides,
  createSoftAuthenticator,
  type SoftAuthenticator,
} from './soft-authenticator.ts';
import type { TestApp } from './test-app.ts';

/**
 * A browser stand-in for server tests: a cookie jar plus a software authenticator, driving the real routes
 * through `app.inject()`.
 */
export function createPasskeyClient(testApp: TestApp, authenticator?: SoftAuthenticator) {
  const jar = createCookieJar();
  const soft = authenticator ?? createSoftAuthenticator({ origin: testApp.config.appUrl });

  async function request(
    method: InjectOptions['method'],
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const response = await testApp.app.inject({
      method,
      url,
      headers: { cookie: jar.header(), 'user-agent': 'latch-tests', ...headers },
      ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
    });
    jar.update(response);
    return response;
  }

  async function expectOk(response: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    if (response.statusCode >= 400) {
      throw new Error(`${response.statusCode} ${response.body}`);
    }
    return response;
  }

  return {
    jar,
    authenticator: soft,
    request,

    async setup(input: Record<string, unknown> = {}) {
      return request('POST', '/api/signup/setup', {
        username: 'admin',
        email: 'admin@example.com',
        firstName: 'Ada',
        lastName: 'Admin',
        ...input,
      });
    },

    /** register/start, then the authenticator's answer (optionally tampered with). */
    async registrationResponse(overrides: CeremonyOverrides = {}) {
      const start = await expectOk(await request('GET', '/api/webauthn/register/start'));
      return soft.register(start.json(), overrides);
    },

    async addPasskey(overrides: CeremonyOverrides = {}) {
      const body = await this.registrationResponse(overrides);
      const response = await request('POST', '/api/webauthn/register/finish', body);
      // Like a real authenticator whose credential the site refused, forget it so sign-ins use a valid one.
      if (response.statusCode !== 200) soft.credentials.pop();
      return response;
    },

    /** login/start, then an assertion (optionally tampered with). */
    async assertion(overrides: Parameters<SoftAuthenticator['assert']>[1] = {}) {
      const start = await expectOk(await request('GET', '/api/webauthn/login/start'));
      return soft.assert(start.json(), overrides);
    },

    async signIn(overrides: Parameters<SoftAuthenticator['assert']>[1] = {}) {
      const body = await this.assertion(overrides);
      return request('POST', '/api/webauthn/login/finish', body);
    },

    async reauthenticate() {
      const body = await this.assertion();
      return request('POST', '/api/webauthn/reauthenticate', body);
    },
  };
}

export type PasskeyClient = ReturnType<typeof createPasskeyClient>;

/**
 * Creates a user with a passkey and returns a client signed in with it (amr `phr`), for tests of other
 * features (OIDC, admin) that need a signed-in browser.
 */
export async function createSignedInUser(
  testApp: TestApp,
  input: {
    username?: string;
    email?: string | null;
    isAdmin?: boolean;
    firstName?: string;
    lastName?: string;
  } = {},
): Promise<{ client: PasskeyClient; userId: string }> {
  const now = new Date().toISOString();
  const username = input.username ?? `user-${randomUUID().slice(0, 8)}`;
  const userId = randomUUID();
  await insertUser(testApp.db, {
    id: userId,
    createdAt: now,
    updatedAt: now,
    username,
    email: input.email === undefined ? `${username}@example.com` : input.email,
    emailVerified: false,
    firstName: input.firstName ?? 'Test',
    lastName: input.lastName ?? 'User',
    displayName: `${input.firstName ?? 'Test'} ${input.lastName ?? 'User'}`,
    isAdmin: input.isAdmin ?? false,
    ldapId: null,
    locale: null,
    disabled: false,
  });
  const client = createPasskeyClient(testApp);
  const { token } = await createOneTimeAccessToken(
    { db: testApp.db, clock: testApp.services.clock },
    userId,
    60,
  );
  const exchanged = await client.request('POST', `/api/one-time-access-token/${token}`);
  if (exchanged.statusCode !== 200) throw new Error(`login code refused: ${exchanged.body}`);
  const added = await client.addPasskey();
  if (added.statusCode !== 200) throw new Error(`passkey refused: ${added.body}`);
  await client.request('POST', '/api/webauthn/logout');
  const signedIn = await client.signIn();
  if (signedIn.statusCode !== 200) throw new Error(`passkey sign-in refused: ${signedIn.body}`);
  return { client, userId };
}
