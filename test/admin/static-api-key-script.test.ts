import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

const staticKey = 'script-static-api-key-0123456789';

/**
 * The "Done when" scenario: a script holding only STATIC_API_KEY sets everything up. The part after the
 * one-time link (exchange the link, then an openid-client login whose ID token carries the group and the
 * custom claim) needs the passkey-accounts and OIDC branches; it runs once their routes exist.
 */
describeEachEngine('a script with only STATIC_API_KEY', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine, env: { STATIC_API_KEY: staticKey } });
  });
  after(() => testApp.close());

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    testApp.app.inject({
      method,
      url,
      headers: { 'x-api-key': staticKey, 'content-type': 'application/json' },
      payload: payload === undefined ? '' : JSON.stringify(payload),
    });

  test('creates a user, a group with a custom claim, a confidential client with a secret and a one-time link', async (t) => {
    const user = await api('POST', '/api/users', {
      username: 'scripted',
      email: 'scripted@example.com',
      firstName: 'Scripted',
    });
    assert.equal(user.statusCode, 201, user.body);
    const group = await api('POST', '/api/user-groups', { friendlyName: 'Scripted', name: 'scripted-group' });
    assert.equal(group.statusCode, 201, group.body);
    const claim = await api('PUT', `/api/custom-claims/user-group/${group.json().id}`, [
      { key: 'department', value: 'ops' },
    ]);
    assert.equal(claim.statusCode, 200);
    const members = await api('PUT', `/api/user-groups/${group.json().id}/users`, {
      userIds: [user.json().id],
    });
    assert.equal(members.statusCode, 200);
    const client = await api('POST', '/api/oidc/clients', {
      name: 'Scripted RP',
      callbackURLs: ['http://localhost:9999/callback'],
      isGroupRestricted: true,
    });
    assert.equal(client.statusCode, 201, client.body);
    await api('PUT', `/api/oidc/clients/${client.json().id}/allowed-user-groups`, {
      userGroupIds: [group.json().id],
    });
    const secret = await api('POST', `/api/oidc/clients/${client.json().id}/secrets`);
    assert.equal(secret.statusCode, 201, secret.body);
    assert.match(secret.json().secret, /^[A-Za-z0-9]{32}$/);

    const fetched = await api('GET', `/api/users/${user.json().id}`);
    assert.equal(fetched.json().userGroups[0].name, 'scripted-group');
    assert.deepEqual(fetched.json().userGroups[0].customClaims, [{ key: 'department', value: 'ops' }]);

    const link = await api('POST', `/api/users/${user.json().id}/one-time-access-token`, { ttl: '15m' });
    if (link.statusCode === 404 && link.json().code !== 'user_not_found') {
      t.skip(
        'one-time access tokens come with the passkey-accounts branch; the openid-client login with the OIDC branch',
      );
      return;
    }
    assert.equal(link.statusCode, 201, link.body);
    assert.equal(typeof link.json().token, 'string');
    // Remaining after the OIDC merge: exchange the token at POST /api/one-time-access-token/:token for a session
    // cookie, then run openid-client's authorization-code flow (PKCE) against /authorize with that cookie, and
    // assert that the ID token has groups ["scripted-group"] and department "ops".
  });
});
