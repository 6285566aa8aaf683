import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createSignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  createConfidentialClient,
  decodeJwtPayload,
  pkcePair,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

describeEachEngine('OIDC authorization code flow', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(() => testApp.close());

  it('signs a user in to a confidential client: code, tokens, claims, userinfo, refresh rotation', async () => {
    const client = await createConfidentialClient(testApp);
    const signedIn = await createSignedInUser(testApp);
    const { challenge, verifier } = pkcePair();
    const { location, code } = await authorize(testApp, signedIn, {
      client_id: client.id,
      response_type: 'code',
      scope: 'openid profile email groups',
      redirect_uri: redirectUri,
      state: 'state-1',
      nonce: 'nonce-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    assert.equal(`${location.origin}${location.pathname}`, redirectUri);
    assert.equal(location.searchParams.get('state'), 'state-1');
    assert.equal(location.searchParams.get('iss'), 'http://localhost:1411');
    assert.ok(code);

    const token = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
      { authorization: client.basic },
    );
    assert.equal(token.statusCode, 200, token.body);
    const tokens = token.json();
    assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
    const idToken = decodeJwtPayload(tokens.id_token);
    assert.equal(idToken.sub, signedIn.user.id);
    assert.equal(idToken.nonce, 'nonce-1');
    assert.equal(idToken.email, signedIn.user.email);
    assert.equal(idToken.preferred_username, signedIn.user.username);
    assert.deepEqual(idToken.groups, []);
    assert.deepEqual(idToken.amr, ['phr']);

    const userinfo = await testApp.app.inject({
      url: '/api/oidc/userinfo',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(userinfo.statusCode, 200, userinfo.body);
    assert.equal(userinfo.json().sub, signedIn.user.id);
    assert.equal(userinfo.json().email_verified, true);

    const refreshed = await tokenRequest(
      testApp,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: client.basic },
    );
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const rotated = refreshed.json();
    assert.notEqual(rotated.refresh_token, tokens.refresh_token);

    const reuse = await tokenRequest(
      testApp,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: client.basic },
    );
    assert.equal(reuse.statusCode, 400);
    assert.equal(reuse.json().error, 'invalid_grant');
    const familyDead = await tokenRequest(
      testApp,
      { grant_type: 'refresh_token', refresh_token: rotated.refresh_token },
      { authorization: client.basic },
    );
    assert.equal(familyDead.statusCode, 400, 'reusing a rotated token revokes the whole family');
  });
});
