import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createSignedInUser } from '../helpers/passkey-client.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorizeUrl,
  createConfidentialClient,
  decodeJwtPayload,
  pkcePair,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

describeEachEngine('OIDC reauthentication with a fresh passkey assertion', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(() => testApp.close());

  for (const [name, clientOverrides, extra] of [
    ['prompt=login', {}, { prompt: 'login' }],
    ['max_age=0', {}, { max_age: '0' }],
  ] as const) {
    it(`${name}: the interaction asks for reauthentication; a passkey reauthentication completes it`, async () => {
      const client = await createConfidentialClient(testApp, { skipConsent: true, ...clientOverrides });
      const { client: browser, userId } = await createSignedInUser(testApp);
      // The sign-in must be strictly older than the request for prompt=login / max_age to want a new one.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const { challenge, verifier } = pkcePair();
      const start = await browser.request(
        'GET',
        authorizeUrl({
          client_id: client.id,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: redirectUri,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          ...extra,
        }),
      );
      assert.equal(start.statusCode, 303, start.body);
      const interaction = new URL(String(start.headers.location), 'http://x').searchParams.get('interaction');
      const described = await browser.request('GET', `/api/oidc/interactions/${interaction}`);
      assert.equal(described.json().currentStep, 'reauthenticate');
      const refused = await browser.request('POST', `/api/oidc/interactions/${interaction}/complete`, {
        step: 'authenticate',
      });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().code, 'reauthentication_required');

      const reauthenticatedAt = Math.floor(Date.now() / 1000);
      const reauthenticated = await browser.reauthenticate();
      assert.equal(reauthenticated.statusCode, 204, reauthenticated.body);
      const completed = await browser.request('POST', `/api/oidc/interactions/${interaction}/complete`, {
        step: 'authenticate',
      });
      assert.equal(completed.statusCode, 200, completed.body);
      const resumed = await browser.request('GET', new URL(completed.json().redirectUrl).pathname);
      const callback = new URL(String(resumed.headers.location));
      const code = callback.searchParams.get('code');
      assert.ok(code, resumed.headers.location as string);
      const tokens = await tokenRequest(
        testApp,
        { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
        { authorization: client.basic },
      );
      assert.equal(tokens.statusCode, 200, tokens.body);
      const idToken = decodeJwtPayload(tokens.json().id_token);
      assert.equal(idToken.sub, userId);
      assert.ok(Number(idToken.auth_time) >= reauthenticatedAt - 1, 'auth_time is the reauthentication');
    });
  }

  it('a client that requires reauthentication accepts a recent passkey reauthentication', async () => {
    const client = await createConfidentialClient(testApp, {
      skipConsent: true,
      requiresReauthentication: true,
    });
    const { client: browser, userId } = await createSignedInUser(testApp);
    // Make the sign-in look old: reauthentication is needed after five minutes.
    await testApp.db
      .updateTable('sessions')
      .set({ auth_time: new Date(Date.now() - 3600_000).toISOString() })
      .where('user_id', '=', userId)
      .execute();
    const start = await browser.request(
      'GET',
      authorizeUrl({
        client_id: client.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        ...pkceParams(),
      }),
    );
    const interaction = new URL(String(start.headers.location), 'http://x').searchParams.get('interaction');
    const refused = await browser.request('POST', `/api/oidc/interactions/${interaction}/complete`, {
      step: 'authenticate',
    });
    assert.equal(refused.json().code, 'reauthentication_required');
    assert.equal((await browser.reauthenticate()).statusCode, 204);
    const completed = await browser.request('POST', `/api/oidc/interactions/${interaction}/complete`, {
      step: 'authenticate',
    });
    assert.equal(completed.statusCode, 200, completed.body);
  });
});

function pkceParams() {
  const { challenge } = pkcePair();
  return { code_challenge: challenge, code_challenge_method: 'S256' };
}
