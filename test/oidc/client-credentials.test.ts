import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import { createConfidentialClient, decodeJwtPayload, formPost, tokenRequest } from './flow-helpers.ts';

describeEachEngine('OIDC client credentials carry no user scopes', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(() => testApp.close());

  it('client credentials: standard scopes are dropped and APP_URL is not in the audience', async () => {
    const client = await createConfidentialClient(testApp);
    const response = await tokenRequest(
      testApp,
      { grant_type: 'client_credentials', scope: 'openid profile email groups offline_access' },
      { authorization: client.basic },
    );
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.scope, undefined, 'no scope granted');
    assert.equal(body.id_token, undefined);
    assert.equal(body.refresh_token, undefined);
    const claims = decodeJwtPayload(body.access_token);
    assert.deepEqual(claims.aud, [client.id]);
    assert.equal(claims.sub, `client-${client.id}`);
    assert.deepEqual(claims.scp, []);
    assert.equal(claims.scope, '');

    const introspected = await formPost(
      testApp,
      '/api/oidc/introspect',
      { token: body.access_token },
      { authorization: client.basic },
    );
    assert.equal(introspected.json().active, true);
    assert.deepEqual(introspected.json().aud, [client.id]);
    assert.equal(introspected.json().scope, undefined);

    const userinfo = await testApp.app.inject({
      url: '/api/oidc/userinfo',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.ok([401, 403].includes(userinfo.statusCode), userinfo.body);
  });
});
