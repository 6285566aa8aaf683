import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createSignedInUser, type SignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  createConfidentialClient,
  formPost,
  pkcePair,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

const origin = 'https://spa.example.org';

/** Whether a response lets a script on `origin` read it. */
const allowsOrigin = (headers: Record<string, unknown>) =>
  headers['access-control-allow-origin'] === '*' || headers['access-control-allow-origin'] === origin;

const corsHeaders = (headers: Record<string, unknown>) =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'));

describeEachEngine('OIDC CORS only where DESIGN §5 allows it', (engine) => {
  let testApp: TestApp;
  let signedIn: SignedInUser;
  before(async () => {
    testApp = await createTestApp({ db: engine });
    signedIn = await createSignedInUser(testApp);
  });
  after(() => testApp.close());

  const preflight = (url: string) =>
    testApp.app.inject({
      method: 'OPTIONS',
      url,
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('CORS preflight: token, userinfo, introspection and end-session allow other origins', async () => {
    for (const url of [
      '/api/oidc/token',
      '/api/oidc/userinfo',
      '/api/oidc/introspect',
      '/api/oidc/end-session',
    ]) {
      const response = await preflight(url);
      assert.equal(response.statusCode, 204, `${url}: ${response.statusCode} ${response.body}`);
      assert.ok(allowsOrigin(response.headers), `${url} allows the origin`);
      assert.match(String(response.headers['access-control-allow-methods']), /POST/, url);
      assert.match(String(response.headers['access-control-allow-headers']), /authorization/i, url);
    }
  });

  it('CORS preflight: revocation, PAR and device authorization refuse other origins', async () => {
    for (const url of ['/api/oidc/revoke', '/api/oidc/par', '/api/oidc/device/authorize']) {
      const response = await preflight(url);
      assert.deepEqual(corsHeaders(response.headers), [], `${url} sends no CORS headers`);
    }
  });

  it('CORS on requests with an Origin header: readable from token, userinfo, introspection, end-session, discovery and JWKS only', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const { code } = await authorize(testApp, signedIn, {
      client_id: client.id,
      response_type: 'code',
      scope: 'openid offline_access',
      redirect_uri: redirectUri,
    });
    const token = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: client.basic, origin },
    );
    assert.equal(token.statusCode, 200, token.body);
    assert.ok(allowsOrigin(token.headers), 'token');
    const tokens = token.json();

    const userinfo = await testApp.app.inject({
      url: '/api/oidc/userinfo',
      headers: { authorization: `Bearer ${tokens.access_token}`, origin },
    });
    assert.equal(userinfo.statusCode, 200, userinfo.body);
    assert.ok(allowsOrigin(userinfo.headers), 'userinfo');

    const introspect = await formPost(
      testApp,
      '/api/oidc/introspect',
      { token: tokens.access_token },
      { authorization: client.basic, origin },
    );
    assert.equal(introspect.json().active, true);
    assert.ok(allowsOrigin(introspect.headers), 'introspection');

    const endSession = await testApp.app.inject({ url: '/api/oidc/end-session', headers: { origin } });
    assert.equal(endSession.statusCode, 200, endSession.body);
    assert.ok(allowsOrigin(endSession.headers), 'end-session');

    for (const url of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const response = await testApp.app.inject({ url, headers: { origin } });
      assert.equal(response.headers['access-control-allow-origin'], '*', url);
    }

    const pkce = pkcePair();
    const par = await formPost(
      testApp,
      '/api/oidc/par',
      {
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      },
      { authorization: client.basic, origin },
    );
    assert.equal(par.statusCode, 201, par.body);
    assert.deepEqual(corsHeaders(par.headers), [], 'PAR');

    const device = await formPost(
      testApp,
      '/api/oidc/device/authorize',
      { scope: 'openid' },
      { authorization: client.basic, origin },
    );
    assert.equal(device.statusCode, 200, device.body);
    assert.deepEqual(corsHeaders(device.headers), [], 'device authorization');

    const revoke = await formPost(
      testApp,
      '/api/oidc/revoke',
      { token: tokens.refresh_token },
      { authorization: client.basic, origin },
    );
    assert.equal(revoke.statusCode, 200, revoke.body);
    assert.deepEqual(corsHeaders(revoke.headers), [], 'revocation');
  });
});
