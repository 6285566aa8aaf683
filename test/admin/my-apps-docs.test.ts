import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminAndUser, apiCaller } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

describeEachEngine('My Apps and OpenAPI', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };
  let user: { cookie: string };
  let userId: string;

  before(async () => {
    testApp = await createTestApp({ db: engine });
    ({ admin, user, userId } = await adminAndUser(testApp));
  });
  after(() => testApp.close());

  const call = apiCaller(() => testApp);

  test('lists accessible clients (group restrictions applied) and authorized clients; revoke ends tokens', async () => {
    const open = (
      await call('POST', '/api/oidc/clients', admin, { name: 'Open', launchURL: 'https://open.example.com' })
    ).json();
    const restricted = (
      await call('POST', '/api/oidc/clients', admin, { name: 'Restricted', isGroupRestricted: true })
    ).json();
    const hidden = (
      await call('POST', '/api/oidc/clients', admin, { name: 'Hidden', isGroupRestricted: true })
    ).json();
    const group = (
      await call('POST', '/api/user-groups', admin, { friendlyName: 'Members', name: 'members' })
    ).json();
    await call('PUT', `/api/user-groups/${group.id}/users`, admin, { userIds: [userId] });
    await call('PUT', `/api/oidc/clients/${restricted.id}/allowed-user-groups`, admin, {
      userGroupIds: [group.id],
    });

    const mine = await call('GET', '/api/oidc/users/me/clients', user);
    assert.equal(mine.statusCode, 200);
    const names = mine
      .json()
      .data.map((client: { name: string }) => client.name)
      .sort();
    assert.deepEqual(names, ['Open', 'Restricted']);
    assert.ok(!names.includes(hidden.name));
    assert.equal(
      mine.json().data.find((c: { id: string }) => c.id === open.id).launchURL,
      'https://open.example.com',
    );

    await testApp.db
      .insertInto('user_authorized_oidc_clients')
      .values({
        user_id: userId,
        client_id: open.id,
        scope: '["openid","email"]',
        last_used_at: new Date().toISOString(),
      })
      .execute();
    await testApp.db
      .insertInto('oidc_payloads')
      .values({
        id: 'rt-mine',
        kind: 'RefreshToken',
        payload: JSON.stringify({ clientId: open.id, accountId: userId }),
        grant_id: 'g',
        user_code: null,
        uid: null,
        expires_at: null,
        consumed_at: null,
      })
      .execute();
    const authorized = await call('GET', '/api/oidc/users/me/authorized-clients', user);
    assert.equal(authorized.json().data[0].scope, 'openid email');
    assert.equal(authorized.json().data[0].client.id, open.id);
    const asAdmin = await call('GET', `/api/oidc/users/${userId}/authorized-clients`, admin);
    assert.equal(asAdmin.json().pagination.totalItems, 1);
    assert.equal((await call('GET', `/api/oidc/users/${userId}/authorized-clients`, user)).statusCode, 403);

    assert.equal(
      (await call('DELETE', `/api/oidc/users/me/authorized-clients/${open.id}`, user)).statusCode,
      204,
    );
    assert.equal((await testApp.db.selectFrom('oidc_payloads').select('id').execute()).length, 0);
    assert.equal(
      (await call('DELETE', `/api/oidc/users/me/authorized-clients/${open.id}`, user)).statusCode,
      404,
    );
    assert.equal((await call('GET', '/api/oidc/users/me/clients', {})).statusCode, 401);
  });

  test('/api/docs/json lists the admin routes with their schemas; the UI page loads under the CSP', async () => {
    const spec = (await call('GET', '/api/docs/json', {})).json();
    for (const path of [
      '/api/users',
      '/api/users/{id}',
      '/api/user-groups/{id}/allowed-oidc-clients',
      '/api/oidc/clients/{id}/secrets',
      '/api/api-keys',
      '/api/application-configuration/all',
      '/api/custom-claims/user/{userId}',
      '/api/oidc/users/me/clients',
    ]) {
      assert.ok(spec.paths[path], path);
    }
    const create = spec.paths['/api/users'].post.requestBody.content['application/json'].schema;
    assert.ok(create.properties.username);
    const page = await call('GET', '/api/docs/', {});
    assert.equal(page.statusCode, 200);
    const csp = String(page.headers['content-security-policy'] ?? '');
    const scripts = [...page.body.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    for (const attributes of scripts) {
      const inline = !/src=/.test(attributes);
      if (inline)
        assert.ok(
          /nonce=/.test(attributes) || !/script-src/.test(csp),
          `inline script needs a nonce: ${attributes}`,
        );
    }
    const initializer = await call('GET', '/api/docs/static/swagger-initializer.js', {});
    assert.equal(initializer.statusCode, 200);
  });
});
