import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { adminAndUser, createSignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  createConfidentialClient,
  formPost,
  redirectUri,
  signInWithCode,
  tokenRequest,
} from './flow-helpers.ts';

describeEachEngine('OIDC client metadata cache', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };
  before(async () => {
    testApp = await createTestApp({ db: engine });
    ({ admin } = await adminAndUser(testApp));
  });
  after(() => testApp.close());

  it('an admin restricting a client to groups takes effect at userinfo at once', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const signedIn = await createSignedInUser(testApp);
    const tokens = await signInWithCode(testApp, signedIn, client, 'openid');
    const userinfo = () =>
      testApp.app.inject({
        url: '/api/oidc/userinfo',
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
    assert.equal((await userinfo()).statusCode, 200);
    const restrict = await testApp.app.inject({
      method: 'PUT',
      url: `/api/oidc/clients/${client.id}`,
      headers: { cookie: admin.cookie },
      payload: { name: 'Test RP', callbackURLs: [redirectUri], isGroupRestricted: true },
    });
    assert.equal(restrict.statusCode, 200, restrict.body);
    const refused = await userinfo();
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error, 'invalid_token');
  });

  it('a secret deleted by an admin stops authenticating at once', async () => {
    const client = await createConfidentialClient(testApp);
    const ok = await tokenRequest(
      testApp,
      { grant_type: 'client_credentials' },
      { authorization: client.basic },
    );
    assert.equal(ok.statusCode, 200, ok.body);
    const secrets = await testApp.app.inject({
      url: `/api/oidc/clients/${client.id}/secrets`,
      headers: { cookie: admin.cookie },
    });
    assert.equal(secrets.statusCode, 200, secrets.body);
    const list = secrets.json();
    const items: { id: string }[] = Array.isArray(list) ? list : list.data;
    for (const secret of items) {
      const removed = await testApp.app.inject({
        method: 'DELETE',
        url: `/api/oidc/clients/${client.id}/secrets/${secret.id}`,
        headers: { cookie: admin.cookie },
      });
      assert.ok([200, 204].includes(removed.statusCode), removed.body);
    }
    const refused = await tokenRequest(
      testApp,
      { grant_type: 'client_credentials' },
      { authorization: client.basic },
    );
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error, 'invalid_client');
    const introspect = await formPost(
      testApp,
      '/api/oidc/introspect',
      { token: 'x' },
      { authorization: client.basic },
    );
    assert.equal(introspect.statusCode, 401);
  });
});
