import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CompactSign, createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { createSignedInUser, type SignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  createConfidentialClient,
  decodeJwtPayload,
  formPost,
  redirectUri,
  signInWithCode,
  tokenRequest,
} from './flow-helpers.ts';

const issuer = 'http://localhost:1411';

describeEachEngine('OIDC RFC 9068 access tokens', (engine) => {
  let testApp: TestApp;
  let signedIn: SignedInUser;
  let client: Awaited<ReturnType<typeof createConfidentialClient>>;
  before(async () => {
    testApp = await createTestApp({ db: engine });
    signedIn = await createSignedInUser(testApp);
    client = await createConfidentialClient(testApp, { skipConsent: true });
  });
  after(() => testApp.close());

  const signIn = async (scope = 'openid profile email') => {
    const { code } = await authorize(testApp, signedIn, {
      client_id: client.id,
      response_type: 'code',
      scope,
      redirect_uri: redirectUri,
    });
    const token = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: client.basic },
    );
    assert.equal(token.statusCode, 200, token.body);
    return token.json() as { access_token: string; refresh_token: string; id_token: string };
  };
  const userinfo = (accessToken: string) =>
    testApp.app.inject({ url: '/api/oidc/userinfo', headers: { authorization: `Bearer ${accessToken}` } });
  const introspect = (token: string) =>
    formPost(testApp, '/api/oidc/introspect', { token }, { authorization: client.basic });
  const countAccessTokenRows = async () =>
    Number(
      (
        await testApp.db
          .selectFrom('oidc_payloads')
          .select((eb) => eb.fn.countAll().as('count'))
          .where('kind', '=', 'AccessToken')
          .executeTakeFirstOrThrow()
      ).count,
    );

  it('issues a signed at+jwt with iss, sub, aud [client, APP_URL], scope, scp, client_id and jti', async () => {
    const tokens = await signIn('openid profile email');
    const header = decodeProtectedHeader(tokens.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'RS256');
    const jwks = (await testApp.app.inject({ url: '/.well-known/jwks.json' })).json();
    const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks), {
      issuer,
      audience: client.id,
      typ: 'at+jwt',
    });
    assert.equal(payload.sub, signedIn.user.id);
    assert.deepEqual(payload.aud, [client.id, issuer]);
    assert.equal(payload.client_id, client.id);
    assert.equal(payload.scope, 'openid profile email');
    assert.deepEqual(payload.scp, ['openid', 'profile', 'email']);
    assert.match(String(payload.jti), /^[A-Za-z0-9_-]{20,}$/);
    assert.ok(Number(payload.exp) - Number(payload.iat) === 3600);
  });

  it('is accepted at userinfo (GET with the header, POST with the form field) with the scopes it carries', async () => {
    const tokens = await signIn('openid email');
    const viaHeader = await userinfo(tokens.access_token);
    assert.equal(viaHeader.statusCode, 200, viaHeader.body);
    assert.equal(viaHeader.headers['cache-control'], 'no-store');
    assert.deepEqual(viaHeader.json(), {
      sub: signedIn.user.id,
      email: signedIn.user.email,
      email_verified: true,
    });
    const viaForm = await formPost(testApp, '/api/oidc/userinfo', { access_token: tokens.access_token });
    assert.equal(viaForm.statusCode, 200, viaForm.body);
    assert.equal(viaForm.json().sub, signedIn.user.id);
    const narrowed = await testApp.app.inject({
      url: '/api/oidc/userinfo?scope=openid',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.deepEqual(narrowed.json(), { sub: signedIn.user.id });
    const wider = await testApp.app.inject({
      url: '/api/oidc/userinfo?scope=openid%20profile',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(wider.statusCode, 403);
    assert.equal(wider.json().error, 'insufficient_scope');
  });

  it('introspection reports it active with its audience; a revoked one is refused at userinfo and introspection', async () => {
    const tokens = await signIn();
    const active = await introspect(tokens.access_token);
    assert.equal(active.statusCode, 200, active.body);
    assert.equal(active.json().active, true);
    assert.equal(active.json().sub, signedIn.user.id);
    assert.deepEqual(active.json().aud, [client.id, issuer]);
    assert.equal(active.json().token_type, 'Bearer');
    const before = await countAccessTokenRows();
    const revoke = await formPost(
      testApp,
      '/api/oidc/revoke',
      { token: tokens.access_token, token_type_hint: 'access_token' },
      { authorization: client.basic },
    );
    assert.equal(revoke.statusCode, 200, revoke.body);
    assert.equal(await countAccessTokenRows(), before - 1, 'the stored token is deleted');
    const refused = await userinfo(tokens.access_token);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error, 'invalid_token');
    assert.match(String(refused.headers['www-authenticate']), /^Bearer .*error="invalid_token"/);
    assert.equal((await introspect(tokens.access_token)).json().active, false);
  });

  it('another client cannot revoke it, and nothing is deleted', async () => {
    const tokens = await signIn();
    const other = await createConfidentialClient(testApp, { name: 'Other RP' });
    const before = await countAccessTokenRows();
    const revoke = await formPost(
      testApp,
      '/api/oidc/revoke',
      { token: tokens.access_token },
      { authorization: other.basic },
    );
    assert.ok([200, 400].includes(revoke.statusCode), revoke.body);
    assert.equal(await countAccessTokenRows(), before);
    assert.equal((await userinfo(tokens.access_token)).statusCode, 200);
  });

  it('refuses a forged JWT carrying a real jti, the bare jti, and a token signed by another key', async () => {
    const tokens = await signIn();
    const { jti } = decodeJwtPayload(tokens.access_token);
    const [header, , signature] = tokens.access_token.split('.');
    const changed = {
      ...decodeJwtPayload(tokens.access_token),
      scope: 'openid profile email groups',
    };
    const forged = `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`;
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new CompactSign(Buffer.from(JSON.stringify(decodeJwtPayload(tokens.access_token))))
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt' })
      .sign(privateKey);
    for (const value of [forged, String(jti), foreign]) {
      const response = await userinfo(value);
      assert.equal(response.statusCode, 401, value);
      assert.equal(response.json().error, 'invalid_token');
      assert.equal((await introspect(value)).json().active, false);
    }
    assert.equal((await userinfo(tokens.access_token)).statusCode, 200, 'the real token still works');
  });

  it('refresh issues a new JWT; reusing the old refresh token kills the new access token too', async () => {
    const tokens = await signIn();
    const refreshed = await tokenRequest(
      testApp,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: client.basic },
    );
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const next = refreshed.json();
    assert.equal(decodeProtectedHeader(next.access_token).typ, 'at+jwt');
    assert.equal((await userinfo(next.access_token)).statusCode, 200);
    const reuse = await tokenRequest(
      testApp,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: client.basic },
    );
    assert.equal(reuse.statusCode, 400);
    assert.equal((await userinfo(next.access_token)).statusCode, 401);
    assert.equal((await introspect(next.access_token)).json().active, false);
  });

  it('a disabled user is refused at userinfo', async () => {
    const other = await createSignedInUser(testApp);
    const tokens = await signInWithCode(testApp, other, client, 'openid');
    await testApp.db.updateTable('users').set({ disabled: true }).where('id', '=', other.user.id).execute();
    const response = await userinfo(tokens.access_token);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'invalid_token');
  });

  it('client credentials: sub client-<id>, aud [client], refused at userinfo; missing token is a 400', async () => {
    const token = await tokenRequest(
      testApp,
      { grant_type: 'client_credentials' },
      { authorization: client.basic },
    );
    assert.equal(token.statusCode, 200, token.body);
    const { access_token: accessToken } = token.json();
    assert.equal(decodeProtectedHeader(accessToken).typ, 'at+jwt');
    const claims = decodeJwtPayload(accessToken);
    assert.equal(claims.sub, `client-${client.id}`);
    assert.deepEqual(claims.aud, [client.id]);
    assert.equal(claims.client_id, client.id);
    const info = await introspect(accessToken);
    assert.equal(info.json().active, true);
    assert.equal(info.json().sub, `client-${client.id}`);
    const refused = await userinfo(accessToken);
    assert.equal(refused.statusCode, 401);
    const missing = await testApp.app.inject({ url: '/api/oidc/userinfo' });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error, 'invalid_request');
    assert.match(String(missing.headers['www-authenticate']), /^Bearer /);
  });
});
