import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createSignedInUser, createUser, type SignedInUser, signInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  approveDeviceCode,
  authorize,
  authorizeUrl,
  browserGet,
  CookieJar,
  createConfidentialClient,
  decodeJwtPayload,
  formPost,
  redirectUri,
  signInWithCode,
  tokenRequest,
} from './flow-helpers.ts';

const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describeEachEngine('OIDC grants, claims and client authentication', (engine) => {
  let testApp: TestApp;
  let signedIn: SignedInUser;
  let jwksServer: Server;
  let jwksUrl: string;
  let externalKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  before(async () => {
    testApp = await createTestApp({ db: engine });
    signedIn = await createSignedInUser(testApp);
    const pair = await generateKeyPair('ES256', { extractable: true });
    externalKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'ext-1', alg: 'ES256', use: 'sig' };
    jwksServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address() as { port: number };
    jwksUrl = `http://127.0.0.1:${address.port}/jwks.json`;
  });
  after(async () => {
    jwksServer.close();
    await testApp.close();
  });

  it('releases groups and custom claims (user wins over group) with the profile and groups scopes', async () => {
    const user = await createUser(testApp);
    const groupId = randomUUID();
    const now = new Date().toISOString();
    await testApp.db
      .insertInto('user_groups')
      .values({
        id: groupId,
        created_at: now,
        updated_at: now,
        friendly_name: 'Devs',
        name: 'developers',
        ldap_id: null,
      })
      .execute();
    await testApp.db
      .insertInto('user_groups_users')
      .values({ user_id: user.id, user_group_id: groupId })
      .execute();
    await testApp.db
      .insertInto('custom_claims')
      .values([
        { id: randomUUID(), key: 'team', value: 'group', user_id: null, user_group_id: groupId },
        { id: randomUUID(), key: 'level', value: '3', user_id: null, user_group_id: groupId },
        { id: randomUUID(), key: 'team', value: 'user', user_id: user.id, user_group_id: null },
        { id: randomUUID(), key: 'email', value: 'spoof@example.com', user_id: user.id, user_group_id: null },
      ])
      .execute();
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const browser = await signInUser(testApp, user);
    const tokens = await signInWithCode(testApp, browser, client, 'openid profile groups');
    const idToken = decodeJwtPayload(tokens.id_token);
    assert.deepEqual(idToken.groups, ['developers']);
    assert.equal(idToken.team, 'user');
    assert.equal(idToken.level, 3);
    assert.equal(idToken.email, undefined, 'reserved keys are never released as custom claims');
    assert.equal(typeof idToken.auth_time, 'number');
  });

  it('remembers consent and asks again only for new scopes; audits new and repeated authorizations', async () => {
    const client = await createConfidentialClient(testApp);
    const jar = new CookieJar(signedIn.cookie);
    await authorize(
      testApp,
      signedIn,
      {
        client_id: client.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
      },
      jar,
    );
    const again = await browserGet(
      testApp,
      jar,
      authorizeUrl({
        client_id: client.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
      }),
    );
    assert.match(
      String(again.headers.location),
      /^https:\/\/rp\.example\.com\/callback\?code=/,
      'no consent asked twice',
    );
    const more = await browserGet(
      testApp,
      jar,
      authorizeUrl({
        client_id: client.id,
        response_type: 'code',
        scope: 'openid email',
        redirect_uri: redirectUri,
      }),
    );
    assert.match(String(more.headers.location), /^\/interaction\?interaction=/, 'a new scope asks again');
    // The repeated authorization is audited after the redirect (asynchronously): wait for it.
    let events: { event: string }[] = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      events = await testApp.db
        .selectFrom('audit_logs')
        .select('event')
        .where('user_id', '=', signedIn.user.id)
        .execute();
      if (events.some((row) => row.event === 'CLIENT_AUTHORIZATION')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(events.some((row) => row.event === 'NEW_CLIENT_AUTHORIZATION'));
    assert.ok(events.some((row) => row.event === 'CLIENT_AUTHORIZATION'));
  });

  it('prompt=none answers login_required without a session and a code with one', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const params = {
      client_id: client.id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
      prompt: 'none',
    };
    const anonymous = await browserGet(testApp, new CookieJar(), authorizeUrl(params));
    assert.equal(new URL(String(anonymous.headers.location)).searchParams.get('error'), 'login_required');
    const jar = new CookieJar(signedIn.cookie);
    await authorize(testApp, signedIn, { ...params, prompt: undefined }, jar);
    const silent = await browserGet(testApp, jar, authorizeUrl(params));
    assert.ok(new URL(String(silent.headers.location)).searchParams.get('code'));
  });

  /** A browser signed in at the engine (through an open client) and a group-restricted client it is outside of. */
  async function signedInAtEngineBesideRestrictedClient() {
    const open = await createConfidentialClient(testApp, { skipConsent: true });
    const restricted = await createConfidentialClient(testApp, {
      isGroupRestricted: true,
      skipConsent: true,
    });
    const jar = new CookieJar(signedIn.cookie);
    await authorize(
      testApp,
      signedIn,
      { client_id: open.id, response_type: 'code', scope: 'openid', redirect_uri: redirectUri },
      jar,
    );
    return { restricted, jar };
  }

  it('prompt=none at a group-restricted client answers access_denied to a user outside its groups', async () => {
    const { restricted, jar } = await signedInAtEngineBesideRestrictedClient();
    const silent = await browserGet(
      testApp,
      jar,
      authorizeUrl({
        client_id: restricted.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        prompt: 'none',
      }),
    );
    const location = new URL(String(silent.headers.location));
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('code'), null);
  });

  it('a group-restricted client refuses a user outside its groups', async () => {
    const client = await createConfidentialClient(testApp, { isGroupRestricted: true });
    const jar = new CookieJar(signedIn.cookie);
    const start = await browserGet(
      testApp,
      jar,
      authorizeUrl({
        client_id: client.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
      }),
    );
    const id = new URL(String(start.headers.location), 'http://x').searchParams.get('interaction');
    const denied = await testApp.app.inject({
      method: 'POST',
      url: `/api/oidc/interactions/${id}/complete`,
      headers: { cookie: jar.header() },
      payload: { step: 'consent' },
    });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'access_denied');
    const consent = await testApp.db
      .selectFrom('user_authorized_oidc_clients')
      .selectAll()
      .where('client_id', '=', client.id)
      .execute();
    assert.equal(consent.length, 0);
  });

  it('regression: a user already signed in at the engine gets access denied, not server_error, at a group-restricted client', async () => {
    const { restricted, jar } = await signedInAtEngineBesideRestrictedClient();
    const start = await browserGet(
      testApp,
      jar,
      authorizeUrl({
        client_id: restricted.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
      }),
    );
    assert.equal(start.statusCode, 303, start.body);
    const location = new URL(String(start.headers.location), 'http://x');
    assert.equal(location.pathname, '/interaction');
    const described = await testApp.app.inject({
      url: `/api/oidc/interactions/${location.searchParams.get('interaction')}`,
      headers: { cookie: jar.header() },
    });
    assert.equal(described.statusCode, 403);
    assert.equal(described.json().code, 'access_denied');
  });

  it('a disabled user can no longer refresh', async () => {
    const user = await createUser(testApp);
    const browser = await signInUser(testApp, user);
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const tokens = await signInWithCode(testApp, browser, client, 'openid');
    await testApp.db.updateTable('users').set({ disabled: true }).where('id', '=', user.id).execute();
    const refresh = await tokenRequest(
      testApp,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: client.basic },
    );
    assert.equal(refresh.statusCode, 400);
    assert.equal(refresh.json().error, 'invalid_grant');
  });

  it('client_secret_post, introspection and revocation', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const { code } = await authorize(testApp, signedIn, {
      client_id: client.id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
    });
    const token = await tokenRequest(testApp, {
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri,
      client_id: client.id,
      client_secret: client.secret,
    });
    assert.equal(token.statusCode, 200, token.body);
    const { access_token: accessToken, refresh_token: refreshToken } = token.json();
    const introspect = await formPost(
      testApp,
      '/api/oidc/introspect',
      { token: accessToken },
      { authorization: client.basic },
    );
    assert.equal(introspect.statusCode, 200);
    assert.equal(introspect.json().active, true);
    assert.equal(introspect.json().sub, signedIn.user.id);
    const revoke = await formPost(
      testApp,
      '/api/oidc/revoke',
      { token: refreshToken },
      { authorization: client.basic },
    );
    assert.equal(revoke.statusCode, 200);
    const after = await formPost(
      testApp,
      '/api/oidc/introspect',
      { token: refreshToken },
      { authorization: client.basic },
    );
    assert.equal(after.json().active, false);
  });

  it('client credentials for confidential clients, with sub client-<id>', async () => {
    const client = await createConfidentialClient(testApp);
    const token = await tokenRequest(
      testApp,
      { grant_type: 'client_credentials' },
      { authorization: client.basic },
    );
    assert.equal(token.statusCode, 200, token.body);
    assert.equal(token.json().refresh_token, undefined);
    const introspect = await formPost(
      testApp,
      '/api/oidc/introspect',
      { token: token.json().access_token },
      { authorization: client.basic },
    );
    assert.equal(introspect.json().active, true);
    assert.equal(introspect.json().client_id, client.id);
  });

  it('private_key_jwt: a signed assertion authenticates; alg none, wrong aud, expired and replayed jti are refused', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'rp-1', alg: 'ES256', use: 'sig' };
    const client = await createConfidentialClient(testApp, { credentials: { jwks: { keys: [jwk] } } });
    const sign = (claims: Record<string, unknown>, expiresIn = '60s') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'rp-1' })
        .setIssuer(client.id)
        .setSubject(client.id)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(pair.privateKey);
    const grant = (assertion: string) =>
      tokenRequest(testApp, {
        grant_type: 'client_credentials',
        client_assertion_type: assertionType,
        client_assertion: assertion,
      });
    const jti = randomUUID();
    const good = await sign({ aud: 'http://localhost:1411', jti });
    assert.equal((await grant(good)).statusCode, 200);
    assert.equal((await grant(good)).statusCode, 401, 'a replayed jti is refused');
    const wrongAud = await sign({ aud: 'https://other.example.com', jti: randomUUID() });
    assert.equal((await grant(wrongAud)).statusCode, 401);
    const expired = await sign({ aud: 'http://localhost:1411', jti: randomUUID() }, '-120s');
    assert.equal((await grant(expired)).statusCode, 401);
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({
        iss: client.id,
        sub: client.id,
        aud: 'http://localhost:1411',
        jti: randomUUID(),
        exp: Math.floor(Date.now() / 1000) + 60,
      }),
    ).toString('base64url');
    assert.equal((await grant(`${header}.${body}.`)).statusCode, 401);
  });

  it('federated client credentials: an assertion from a trusted issuer authenticates; misuse is refused', async () => {
    const issuer = 'https://ci.example.com';
    const client = await createConfidentialClient(testApp, {
      credentials: { federatedIdentities: [{ issuer, subject: 'repo:acme/app', jwks: jwksUrl }] },
    });
    const sign = (claims: Record<string, unknown>, subject = 'repo:acme/app', expiresIn = '60s') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'ext-1' })
        .setIssuer(issuer)
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(externalKey);
    const grant = (assertion: string) =>
      tokenRequest(testApp, {
        grant_type: 'client_credentials',
        client_id: client.id,
        client_assertion_type: assertionType,
        client_assertion: assertion,
      });
    const good = await sign({ aud: 'http://localhost:1411', jti: randomUUID() });
    const ok = await grant(good);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await grant(good)).statusCode, 401, 'a replayed jti is refused');
    assert.equal((await grant(await sign({ aud: 'https://elsewhere', jti: randomUUID() }))).statusCode, 401);
    assert.equal(
      (await grant(await sign({ aud: 'http://localhost:1411', jti: randomUUID() }, 'repo:evil/app')))
        .statusCode,
      401,
    );
    assert.equal(
      (await grant(await sign({ aud: 'http://localhost:1411', jti: randomUUID() }, undefined, '-120s')))
        .statusCode,
      401,
    );
  });

  it('introspection with Authorization: Bearer <federated assertion> and client_id in the form, as upstream', async () => {
    const issuer = 'https://ci.example.com';
    const client = await createConfidentialClient(testApp, {
      credentials: { federatedIdentities: [{ issuer, subject: 'repo:acme/app', jwks: jwksUrl }] },
    });
    const sign = (audience: string) =>
      new SignJWT({ aud: audience, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'ext-1' })
        .setIssuer(issuer)
        .setSubject('repo:acme/app')
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(externalKey);
    const issued = await tokenRequest(testApp, {
      grant_type: 'client_credentials',
      client_id: client.id,
      client_assertion_type: assertionType,
      client_assertion: await sign('http://localhost:1411'),
    });
    assert.equal(issued.statusCode, 200, issued.body);
    const introspect = (assertion: string, clientId = client.id) =>
      formPost(
        testApp,
        '/api/oidc/introspect',
        { token: issued.json().access_token, client_id: clientId },
        { authorization: `Bearer ${assertion}` },
      );
    const ok = await introspect(await sign('http://localhost:1411'));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().active, true);
    assert.equal(ok.json().client_id, client.id);
    const wrongAudience = await introspect(await sign('https://elsewhere.example.com'));
    assert.equal(wrongAudience.statusCode, 401);
    assert.equal(wrongAudience.json().error, 'invalid_client');
    const other = await createConfidentialClient(testApp, { name: 'No federation' });
    const unknownIssuer = await introspect(await sign('http://localhost:1411'), other.id);
    assert.equal(unknownIssuer.statusCode, 401);
  });

  it('PAR authenticated with the Basic header needs no client_id in the body (RFC 9126)', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const par = await formPost(
      testApp,
      '/api/oidc/par',
      { response_type: 'code', scope: 'openid', redirect_uri: redirectUri, state: 'basic-par' },
      { authorization: client.basic },
    );
    assert.equal(par.statusCode, 201, par.body);
    const { location } = await authorize(testApp, signedIn, {
      client_id: client.id,
      request_uri: par.json().request_uri,
    });
    assert.equal(location.searchParams.get('state'), 'basic-par');
    assert.ok(location.searchParams.get('code'));
    const wrong = `Basic ${Buffer.from(`${client.id}:wrong-secret`).toString('base64')}`;
    const refused = await formPost(
      testApp,
      '/api/oidc/par',
      { response_type: 'code', scope: 'openid', redirect_uri: redirectUri },
      { authorization: wrong },
    );
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error, 'invalid_client');
  });

  it('device authorization grant: code, approval in the browser, token', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const start = await formPost(
      testApp,
      '/api/oidc/device/authorize',
      { scope: 'openid profile' },
      { authorization: client.basic },
    );
    assert.equal(start.statusCode, 200, start.body);
    const device = start.json();
    assert.equal(device.verification_uri, 'http://localhost:1411/device');
    const pending = await tokenRequest(
      testApp,
      { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code },
      { authorization: client.basic },
    );
    assert.equal(pending.json().error, 'authorization_pending');

    const jar = new CookieJar(signedIn.cookie);
    const response = await approveDeviceCode(testApp, jar, device.user_code);
    assert.equal(response.statusCode, 200, response.body);
    const token = await tokenRequest(
      testApp,
      { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code },
      { authorization: client.basic },
    );
    assert.equal(token.statusCode, 200, token.body);
    assert.equal(decodeJwtPayload(token.json().id_token).sub, signedIn.user.id);
  });

  it('pushed authorization requests', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const par = await formPost(
      testApp,
      '/api/oidc/par',
      {
        client_id: client.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        state: 'par-state',
      },
      { authorization: client.basic },
    );
    assert.equal(par.statusCode, 201, par.body);
    assert.match(par.json().request_uri, /^urn:ietf:params:oauth:request_uri:/);
    const { location } = await authorize(testApp, signedIn, {
      client_id: client.id,
      request_uri: par.json().request_uri,
    });
    assert.equal(location.searchParams.get('state'), 'par-state');
    assert.ok(location.searchParams.get('code'));
  });

  it('RP-initiated logout with id_token_hint redirects to a registered logout URL and ends the session', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const user = await createUser(testApp);
    const browser = await signInUser(testApp, user);
    const jar = new CookieJar(browser.cookie);
    const { code } = await authorize(
      testApp,
      browser,
      {
        client_id: client.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
      },
      jar,
    );
    const tokens = (
      await tokenRequest(
        testApp,
        { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
        { authorization: client.basic },
      )
    ).json();
    const page = await browserGet(
      testApp,
      jar,
      `/api/oidc/end-session?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://rp.example.com/logged-out', state: 'bye' })}`,
    );
    assert.equal(page.statusCode, 200);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const confirm = await testApp.app.inject({
      method: 'POST',
      url: '/api/oidc/end-session/confirm',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    assert.equal(confirm.statusCode, 303, confirm.body);
    assert.equal(confirm.headers.location, 'https://rp.example.com/logged-out?state=bye');
    const sessions = await testApp.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    assert.equal(sessions.length, 0, 'the Latch session ended');
    const badTarget = await browserGet(
      testApp,
      new CookieJar(),
      `/api/oidc/end-session?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example.com/' })}`,
    );
    assert.equal(badTarget.statusCode, 400);
  });
});
