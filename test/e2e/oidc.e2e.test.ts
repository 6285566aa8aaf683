import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { type BrowserSession, browserSkipReason, launchBrowser } from './helpers/browser.ts';
import { type RunningServer, startServer } from './helpers/server.ts';

const staticApiKey = 'e2e-static-api-key-0123456789';
const scope = 'openid profile email groups';

/**
 * The relying party side: `openid-client` 6 with its strict checks (issuer, iss in the authorization response,
 * state, nonce, PKCE, ID token signature and claims); plain http is allowed only because everything runs on
 * localhost.
 */
describe('OpenID Connect in Chromium with openid-client as the relying party', {
  skip: browserSkipReason(),
}, () => {
  let server: RunningServer;
  let session: BrowserSession;
  let rp: Server;
  let rpUrl: string;
  let federationServer: Server;
  let federationUrl: string;
  let federationKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'x-api-key': staticApiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return response.status === 204 ? undefined : response.json();
  }

  async function createClient(input: Record<string, unknown>): Promise<{ id: string; secret?: string }> {
    const client = await api('POST', '/api/oidc/clients', {
      callbackURLs: [`${rpUrl}/callback`],
      logoutCallbackURLs: [`${rpUrl}/logged-out`],
      ...input,
    });
    if (input.isPublic) return { id: client.id };
    const { secret } = await api('POST', `/api/oidc/clients/${client.id}/secrets`, {});
    return { id: client.id, secret };
  }

  const discover = (clientId: string, auth: oidc.ClientAuth) =>
    oidc.discovery(new URL(server.url), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });

  /** Runs /authorize in the browser up to the callback, signing in with the passkey and consenting on the way. */
  async function authorizeInBrowser(page: Page, url: URL): Promise<URL> {
    await page.goto(url.href);
    for (;;) {
      await page.waitForURL(
        (current) =>
          current.href.startsWith(`${rpUrl}/`) ||
          current.pathname === '/login' ||
          (current.pathname === '/interaction' && current.searchParams.has('interaction')),
      );
      const current = new URL(page.url());
      if (current.href.startsWith(`${rpUrl}/`)) return current;
      if (current.pathname === '/login') {
        await page.getByTestId('passkey-sign-in').click();
        await page.waitForURL((next) => next.pathname !== '/login');
        continue;
      }
      const consent = page.getByTestId('consent-approve');
      const next = await Promise.race([
        consent.waitFor().then(() => 'consent' as const),
        page.waitForURL((next) => next.pathname !== '/interaction').then(() => 'moved' as const),
      ]);
      if (next === 'consent') await consent.click();
      await page.waitForURL((next) => next.pathname !== '/interaction');
    }
  }

  /** The authorization code flow with every check openid-client makes; returns the tokens. */
  async function signIn(config: oidc.Configuration, page: Page, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rpUrl}/callback`,
      scope,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    const callback = await authorizeInBrowser(page, url);
    return oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
  }

  async function assertRefused(promise: Promise<unknown>, error: string) {
    await assert.rejects(promise, (thrown: unknown) => {
      assert.ok(thrown instanceof oidc.ResponseBodyError, String(thrown));
      assert.equal(thrown.error, error);
      return true;
    });
  }

  before(async () => {
    rp = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><title>RP</title><p>relying party</p>');
    });
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
    rpUrl = `http://localhost:${(rp.address() as { port: number }).port}`;

    const federation = await generateKeyPair('ES256', { extractable: true });
    federationKey = federation.privateKey;
    const federationJwk = {
      ...(await exportJWK(federation.publicKey)),
      kid: 'ci-1',
      alg: 'ES256',
      use: 'sig',
    };
    federationServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [federationJwk] }));
    });
    await new Promise<void>((resolve) => federationServer.listen(0, '127.0.0.1', resolve));
    federationUrl = `http://127.0.0.1:${(federationServer.address() as { port: number }).port}`;

    server = await startServer({ db: 'sqlite', env: { STATIC_API_KEY: staticApiKey } });
    session = await launchBrowser();
    // The user: the first admin, created at /setup with a passkey in the virtual authenticator; then signed out.
    const { page } = session;
    await page.goto(`${server.url}/setup`);
    await page.getByTestId('field-username').fill('ada');
    await page.getByTestId('field-first-name').fill('Ada');
    await page.getByTestId('field-last-name').fill('Lovelace');
    await page.getByTestId('field-email').fill('ada@example.com');
    await page.getByTestId('account-form-submit').click();
    await page.getByTestId('add-passkey').click();
    await page.waitForURL('**/settings/account');
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-page').waitFor();
  });
  after(async () => {
    await session?.close();
    await server?.close();
    rp?.close();
    federationServer?.close();
  });

  it('confidential client (client_secret_basic): discovery → authorize → passkey sign-in → consent → code → userinfo → refresh rotation and reuse → introspection → revocation → logout', async () => {
    const client = await createClient({ name: 'Basic RP' });
    const config = await discover(client.id, oidc.ClientSecretBasic(client.secret));
    assert.equal(config.serverMetadata().issuer, server.url);
    const { page } = session;

    const tokens = await signIn(config, page);
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.preferred_username, 'ada');
    assert.deepEqual(claims.amr, ['phr']);
    const accessTokenClaims = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString(),
    );
    assert.deepEqual(accessTokenClaims.aud, [client.id, server.url]);

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(userinfo.email, 'ada@example.com');
    assert.deepEqual(userinfo.groups, []);

    // Refresh: the new pair works, the old refresh token is refused, and presenting it again kills the new one.
    const refreshToken = tokens.refresh_token ?? '';
    const refreshed = await oidc.refreshTokenGrant(config, refreshToken);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== refreshToken);
    await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
    await assertRefused(oidc.refreshTokenGrant(config, refreshToken), 'invalid_grant');
    await assertRefused(oidc.refreshTokenGrant(config, refreshed.refresh_token), 'invalid_grant');
    assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false);

    // A new sign-in (the browser session and the consent are remembered: no page in between).
    const again = await signIn(config, page);
    const introspection = await oidc.tokenIntrospection(config, again.access_token);
    assert.equal(introspection.active, true);
    assert.equal(introspection.sub, claims.sub);
    assert.equal(introspection.client_id, client.id);
    await oidc.tokenRevocation(config, again.access_token);
    assert.equal((await oidc.tokenIntrospection(config, again.access_token)).active, false);
    await assert.rejects(oidc.fetchUserInfo(config, again.access_token, claims.sub));

    // RP-initiated logout with id_token_hint, post_logout_redirect_uri and state.
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: again.id_token ?? '',
      post_logout_redirect_uri: `${rpUrl}/logged-out`,
      state: 'bye',
    });
    // With a valid id_token_hint the confirmation submits itself (a page with a button otherwise).
    await page.goto(logout.href);
    await page.waitForURL((url) => url.href === `${rpUrl}/logged-out?state=bye`);
    // Signed out of Latch too: prompt=none now answers login_required.
    const silent = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rpUrl}/callback`,
      scope,
      prompt: 'none',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await page.goto(silent.href);
    await page.waitForURL((url) => url.href.startsWith(`${rpUrl}/callback`));
    assert.equal(new URL(page.url()).searchParams.get('error'), 'login_required');
  });

  it('public SPA client with PKCE (no secret), then prompt=none with a session and without one', async () => {
    const client = await createClient({ name: 'SPA', isPublic: true });
    const config = await discover(client.id, oidc.None());
    const { page } = session;
    const tokens = await signIn(config, page);
    const sub = tokens.claims()?.sub ?? '';
    await oidc.fetchUserInfo(config, tokens.access_token, sub);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    assert.ok(refreshed.access_token);

    const withSession = await signIn(config, page, { prompt: 'none' });
    assert.equal(withSession.claims()?.sub, sub);

    const fresh = await session.browser.newContext();
    const anonymous = await fresh.newPage();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rpUrl}/callback`,
      scope,
      prompt: 'none',
      state: 'silent',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await anonymous.goto(url.href);
    await anonymous.waitForURL((current) => current.href.startsWith(`${rpUrl}/callback`));
    const answer = new URL(anonymous.url()).searchParams;
    assert.equal(answer.get('error'), 'login_required');
    assert.equal(answer.get('state'), 'silent');
    assert.equal(answer.get('iss'), server.url);
    await fresh.close();
  });

  it('confidential client authenticating with client_secret_post, private_key_jwt and a federated assertion', async () => {
    const { page } = session;
    const rpKey = await generateKeyPair('ES256', { extractable: true });
    const rpJwk = { ...(await exportJWK(rpKey.publicKey)), kid: 'rp-1', alg: 'ES256', use: 'sig' };
    const client = await createClient({
      name: 'Multi-auth RP',
      credentials: {
        federatedIdentities: [{ issuer: federationUrl, subject: 'ci-job', audience: server.url }],
        jwks: { keys: [rpJwk] },
      },
    });
    const federated: oidc.ClientAuth = async (_as, _client, body) => {
      body.set('client_id', client.id);
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set(
        'client_assertion',
        await new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'ES256', kid: 'ci-1' })
          .setIssuer(federationUrl)
          .setSubject('ci-job')
          .setAudience(server.url)
          .setIssuedAt()
          .setExpirationTime('60s')
          .sign(federationKey),
      );
    };
    const methods: [string, oidc.ClientAuth][] = [
      ['client_secret_post', oidc.ClientSecretPost(client.secret)],
      ['private_key_jwt', oidc.PrivateKeyJwt({ key: rpKey.privateKey, kid: 'rp-1' })],
      ['federated assertion', federated],
    ];
    for (const [name, auth] of methods) {
      const config = await discover(client.id, auth);
      const tokens = await signIn(config, page);
      const sub = tokens.claims()?.sub ?? '';
      await oidc.fetchUserInfo(config, tokens.access_token, sub);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
      assert.ok(refreshed.access_token, name);
      assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, true, name);
      await oidc.tokenRevocation(config, refreshed.access_token);
    }
    const wrongSecret = await discover(client.id, oidc.ClientSecretPost('not-the-secret'));
    await assertRefused(oidc.clientCredentialsGrant(wrongSecret), 'invalid_client');
  });

  it('prompt=login and a client requiring reauthentication ask the virtual authenticator for a fresh assertion', async () => {
    const client = await createClient({ name: 'Bank', requiresReauthentication: true });
    const config = await discover(client.id, oidc.ClientSecretBasic(client.secret));
    const { page } = session;
    const first = await signIn(config, page);
    const [before] = await session.authenticator.credentials();
    const again = await signIn(config, page, { prompt: 'login' });
    const [after] = await session.authenticator.credentials();
    assert.ok(after.signCount > before.signCount, 'the passkey signed a new assertion');
    assert.ok(Number(again.claims()?.auth_time) >= Number(first.claims()?.auth_time));
  });

  it('prompt=select_account shows the signed-in account: continue, or use another account', async () => {
    const client = await createClient({ name: 'Wiki', skipConsent: true });
    const config = await discover(client.id, oidc.ClientSecretBasic(client.secret));
    const { page } = session;
    const start = async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${rpUrl}/callback`,
        scope,
        prompt: 'select_account',
        state: 'pick',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      await page.goto(url.href);
      await page.getByTestId('select-account-page').waitFor();
      return verifier;
    };
    const finish = async (verifier: string) => {
      await page.waitForURL((url) => url.href.startsWith(`${rpUrl}/callback`));
      return oidc.authorizationCodeGrant(config, new URL(page.url()), {
        pkceCodeVerifier: verifier,
        expectedState: 'pick',
      });
    };
    let verifier = await start();
    assert.equal(await page.getByTestId('select-account-name').textContent(), 'Ada Lovelace');
    await page.getByTestId('select-account-continue').click();
    const ada = (await finish(verifier)).claims();
    assert.equal(ada?.preferred_username, 'ada');

    // Another account: a second user, who signs in with a login code an admin created for them.
    const bob = await api('POST', '/api/users', {
      username: 'bob',
      email: 'bob@example.com',
      firstName: 'Bob',
      lastName: 'Builder',
    });
    const { token } = await api('POST', `/api/users/${bob.id}/one-time-access-token`, { ttl: '1h' });
    verifier = await start();
    await page.getByTestId('select-account-other').click();
    await page.waitForURL((url) => url.pathname === '/login');
    // Bob signs in with the login code, then comes back to the request.
    const back = new URL(page.url()).searchParams.get('redirect') ?? '';
    await page.goto(`${server.url}/lc/${token}`);
    await page.getByTestId('add-passkey-step').waitFor();
    await page.goto(`${server.url}${back}`);
    await page.getByTestId('select-account-page').waitFor();
    assert.equal(await page.getByTestId('select-account-name').textContent(), 'Bob Builder');
    await page.getByTestId('select-account-continue').click();
    const bobClaims = (await finish(verifier)).claims();
    assert.equal(bobClaims?.preferred_username, 'bob');
    assert.notEqual(bobClaims?.sub, ada?.sub);
  });

  it('device authorization grant approved in the browser', async () => {
    const client = await createClient({ name: 'TV app' });
    const config = await discover(client.id, oidc.ClientSecretBasic(client.secret));
    const { page } = session;
    const device = await oidc.initiateDeviceAuthorization(config, { scope });
    assert.ok(device.verification_uri_complete);
    const polling = oidc.pollDeviceAuthorizationGrant(config, device);
    await page.goto(device.verification_uri_complete ?? '');
    await page.getByRole('button', { name: 'Approve' }).click();
    await authorizeUntil(page, (url) => url.pathname.startsWith('/device'));
    await page
      .getByText(/signed in|success|you can close/i)
      .first()
      .waitFor();
    const tokens = await polling;
    await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub ?? '');
  });

  it('a group-restricted client refuses a user outside its groups with an access-denied page', async () => {
    const group = await api('POST', '/api/user-groups', { friendlyName: 'Finance', name: 'finance' });
    const client = await createClient({ name: 'Finance app', isGroupRestricted: true });
    await api('PUT', `/api/oidc/clients/${client.id}/allowed-user-groups`, { userGroupIds: [group.id] });
    const config = await discover(client.id, oidc.ClientSecretBasic(client.secret));
    const { page } = session;
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rpUrl}/callback`,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    await page.waitForURL(
      (current) =>
        current.pathname === '/interaction/error' && current.searchParams.get('error') === 'access_denied',
    );
    assert.ok(!page.url().startsWith(rpUrl));
  });

  /** Follows interaction pages (consent) until the URL matches. */
  async function authorizeUntil(page: Page, done: (url: URL) => boolean): Promise<void> {
    for (;;) {
      await page.waitForURL(
        (url) => done(url) || (url.pathname === '/interaction' && url.searchParams.has('interaction')),
      );
      if (done(new URL(page.url()))) return;
      const consent = page.getByTestId('consent-approve');
      const next = await Promise.race([
        consent.waitFor().then(() => 'consent' as const),
        page.waitForURL((url) => url.pathname !== '/interaction').then(() => 'moved' as const),
      ]);
      if (next === 'consent') await consent.click();
      await page.waitForURL((url) => url.pathname !== '/interaction');
    }
  }
});
