import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createSignedInUser, type SignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  createConfidentialClient,
  decodeJwtPayload,
  formPost,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

describeEachEngine('OIDC DPoP is neither advertised nor half-enforced', (engine) => {
  let testApp: TestApp;
  let signedIn: SignedInUser;
  before(async () => {
    testApp = await createTestApp({ db: engine });
    signedIn = await createSignedInUser(testApp);
  });
  after(() => testApp.close());

  it('DPoP not enforced at userinfo: discovery does not advertise DPoP', async () => {
    const discovery = (await testApp.app.inject({ url: '/.well-known/openid-configuration' })).json();
    assert.equal(discovery.dpop_signing_alg_values_supported, undefined);
  });

  it('DPoP not enforced at userinfo: a proof at the token endpoint gives a plain bearer token, and the DPoP scheme is refused', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const { code } = await authorize(testApp, signedIn, {
      client_id: client.id,
      response_type: 'code',
      scope: 'openid profile',
      redirect_uri: redirectUri,
    });
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const proof = await new SignJWT({
      htm: 'POST',
      htu: `${testApp.config.appUrl}/api/oidc/token`,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .setIssuedAt()
      .sign(privateKey);
    const response = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: client.basic, dpop: proof },
    );
    assert.equal(response.statusCode, 200, response.body);
    const tokens = response.json();
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(decodeJwtPayload(tokens.access_token).cnf, undefined, 'the token is not bound to a key');
    const introspected = await formPost(
      testApp,
      '/api/oidc/introspect',
      { token: tokens.access_token },
      { authorization: client.basic },
    );
    assert.equal(introspected.json().cnf, undefined);
    assert.equal(introspected.json().token_type, 'Bearer');

    const bearer = await testApp.app.inject({
      url: '/api/oidc/userinfo',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(bearer.statusCode, 200, bearer.body);
    const dpopScheme = await testApp.app.inject({
      url: '/api/oidc/userinfo',
      headers: { authorization: `DPoP ${tokens.access_token}`, dpop: proof },
    });
    assert.equal(dpopScheme.statusCode, 400, dpopScheme.body);
    assert.equal(dpopScheme.json().error, 'invalid_request');
  });
});
