import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sha256Hex } from '../../src/lib/crypto.ts';
import { adminAndUser, apiCaller, type Method } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

describeEachEngine('admin groups, custom claims and OIDC clients API', (engine) => {
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

  test('group CRUD with members, claims and allowed clients; delete removes claims and restrictions', async () => {
    const created = await call('POST', '/api/user-groups', admin, {
      friendlyName: 'Developers',
      name: 'developers',
    });
    assert.equal(created.statusCode, 201, created.body);
    const group = created.json();
    assert.equal(group.userCount, 0);
    assert.deepEqual(group.users, []);

    const dup = await call('POST', '/api/user-groups', admin, { friendlyName: 'Dev 2', name: 'developers' });
    assert.equal(dup.statusCode, 409);

    const bad = await call('POST', '/api/user-groups', admin, { friendlyName: 'x', name: 'has space' });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().fields.friendlyName);
    assert.ok(bad.json().fields.name);

    const members = await call('PUT', `/api/user-groups/${group.id}/users`, admin, { userIds: [userId] });
    assert.equal(members.statusCode, 200);
    assert.equal(members.json().userCount, 1);
    assert.equal(members.json().users[0].id, userId);

    const unknownMember = await call('PUT', `/api/user-groups/${group.id}/users`, admin, {
      userIds: [randomUUID()],
    });
    assert.equal(unknownMember.statusCode, 400);
    assert.ok(unknownMember.json().fields.userIds);

    const claims = await call('PUT', `/api/custom-claims/user-group/${group.id}`, admin, [
      { key: 'team', value: 'core' },
    ]);
    assert.equal(claims.statusCode, 200);
    assert.deepEqual(claims.json(), [{ key: 'team', value: 'core' }]);
    const reserved = await call('PUT', `/api/custom-claims/user-group/${group.id}`, admin, [
      { key: 'email', value: 'x' },
    ]);
    assert.equal(reserved.statusCode, 400);
    assert.equal(reserved.json().code, 'reserved_claim_key');
    const suggestions = await call('GET', '/api/custom-claims/suggestions', admin);
    assert.deepEqual(suggestions.json(), ['team']);

    const client = (await call('POST', '/api/oidc/clients', admin, { name: 'App' })).json();
    const allowed = await call('PUT', `/api/user-groups/${group.id}/allowed-oidc-clients`, admin, {
      oidcClientIds: [client.id],
    });
    assert.equal(allowed.statusCode, 200);
    assert.deepEqual(allowed.json().allowedOidcClients, [{ id: client.id, name: 'App' }]);

    const userView = await call('GET', `/api/users/${userId}`, admin);
    assert.equal(userView.json().userGroups[0].name, 'developers');
    assert.deepEqual(userView.json().userGroups[0].customClaims, [{ key: 'team', value: 'core' }]);

    const list = await call('GET', '/api/user-groups?search=dev', admin);
    assert.equal(list.json().pagination.totalItems, 1);
    assert.equal(list.json().data[0].userCount, 1);

    const renamed = await call('PUT', `/api/user-groups/${group.id}`, admin, { friendlyName: 'Devs' });
    assert.equal(renamed.json().friendlyName, 'Devs');
    assert.equal(renamed.json().name, 'developers');

    assert.equal((await call('DELETE', `/api/user-groups/${group.id}`, admin)).statusCode, 204);
    const claimRows = await testApp.db
      .selectFrom('custom_claims')
      .select('id')
      .where('user_group_id', '=', group.id)
      .execute();
    assert.equal(claimRows.length, 0);
    const restrictions = await testApp.db
      .selectFrom('oidc_clients_allowed_user_groups')
      .select('oidc_client_id')
      .where('user_group_id', '=', group.id)
      .execute();
    assert.equal(restrictions.length, 0);
  });

  test('user custom claims replace the whole set', async () => {
    const first = await call('PUT', `/api/custom-claims/user/${userId}`, admin, [
      { key: 'a', value: '1' },
      { key: 'b', value: '{"x":1}' },
    ]);
    assert.equal(first.statusCode, 200);
    const second = await call('PUT', `/api/custom-claims/user/${userId}`, admin, [{ key: 'c', value: '3' }]);
    assert.deepEqual(second.json(), [{ key: 'c', value: '3' }]);
    const dup = await call('PUT', `/api/custom-claims/user/${userId}`, admin, [
      { key: 'c', value: '1' },
      { key: 'c', value: '2' },
    ]);
    assert.equal(dup.statusCode, 400);
    assert.ok(dup.json().fields['1.key']);
    const unknown = await call('PUT', `/api/custom-claims/user/${randomUUID()}`, admin, []);
    assert.equal(unknown.statusCode, 404);
  });

  test('client CRUD keeps values as sent and leaves allowed groups alone on update', async () => {
    const group = (
      await call('POST', '/api/user-groups', admin, { friendlyName: 'Staff', name: 'staff' })
    ).json();
    const created = await call('POST', '/api/oidc/clients', admin, {
      id: 'my-custom-client',
      name: 'Nextcloud',
      callbackURLs: [
        'https://cloud.example.com/apps/user_oidc/code',
        'http://localhost:*/cb',
        'https://*.example.com/**',
      ],
      logoutCallbackURLs: ['https://cloud.example.com/'],
      isPublic: false,
      pkceEnabled: true,
      launchURL: 'https://cloud.example.com',
      accessTokenDurationMinutes: 30,
    });
    assert.equal(created.statusCode, 201, created.body);
    const client = created.json();
    assert.equal(client.id, 'my-custom-client');
    assert.deepEqual(client.callbackURLs, [
      'https://cloud.example.com/apps/user_oidc/code',
      'http://localhost:*/cb',
      'https://*.example.com/**',
    ]);
    assert.equal(client.pkceEnabled, true);
    assert.equal(client.hasLogo, false);
    assert.equal(client.accessTokenDurationMinutes, 30);
    assert.equal(client.refreshTokenDurationMinutes, 43200);

    await call('PUT', `/api/oidc/clients/${client.id}/allowed-user-groups`, admin, {
      userGroupIds: [group.id],
    });
    const updated = await call('PUT', `/api/oidc/clients/${client.id}`, admin, {
      name: 'Nextcloud 2',
      isGroupRestricted: true,
    });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json().name, 'Nextcloud 2');
    assert.equal(updated.json().launchURL, 'https://cloud.example.com');
    assert.equal(updated.json().allowedUserGroups.length, 1, 'update does not clear allowed groups');
    assert.equal(updated.json().allowedUserGroupsCount, 1);

    const list = await call('GET', '/api/oidc/clients?search=nextcloud', admin);
    assert.equal(list.json().data[0].allowedUserGroupsCount, 1);
    assert.equal(list.json().data[0].isGroupRestricted, true);

    const meta = await call('GET', `/api/oidc/clients/${client.id}/meta`, {});
    assert.equal(meta.statusCode, 200);
    assert.equal(meta.json().name, 'Nextcloud 2');

    const taken = await call('POST', '/api/oidc/clients', admin, { id: 'my-custom-client', name: 'Dup' });
    assert.equal(taken.statusCode, 409);
  });

  test('callback URLs are validated with field names; nothing is created', async () => {
    const before = await testApp.db.selectFrom('oidc_clients').select('id').execute();
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'not a url', '']) {
      const response = await call('POST', '/api/oidc/clients', admin, { name: 'Bad', callbackURLs: [url] });
      assert.equal(response.statusCode, 400, url);
      assert.ok(response.json().fields['callbackURLs.0'], url);
    }
    const noName = await call('POST', '/api/oidc/clients', admin, { callbackURLs: [] });
    assert.ok(noName.json().fields.name);
    const after = await testApp.db.selectFrom('oidc_clients').select('id').execute();
    assert.equal(after.length, before.length);
  });

  test('client secrets: shown once, stored hashed, listed by prefix, at most 20, none for public clients', async () => {
    const client = (await call('POST', '/api/oidc/clients', admin, { name: 'Confidential' })).json();
    const created = await call('POST', `/api/oidc/clients/${client.id}/secrets`, admin, {});
    assert.equal(created.statusCode, 201);
    const { secret, prefix, id } = created.json();
    assert.match(secret, /^[A-Za-z0-9]{32}$/);
    assert.equal(prefix, secret.slice(0, 4));
    const row = await testApp.db
      .selectFrom('oidc_client_secrets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.hash, `sha256:${sha256Hex(secret)}`);

    const expiring = await call('POST', `/api/oidc/clients/${client.id}/secrets`, admin, {
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    assert.equal(expiring.statusCode, 201);
    assert.equal(typeof expiring.json().expiresAt, 'string');
    const past = await call('POST', `/api/oidc/clients/${client.id}/secrets`, admin, {
      expiresAt: '2000-01-01T00:00:00Z',
    });
    assert.equal(past.statusCode, 400);
    assert.ok(past.json().fields.expiresAt);

    const deprecated = await testApp.app.inject({
      method: 'POST',
      url: `/api/oidc/clients/${client.id}/secret`,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '',
    });
    assert.equal(deprecated.statusCode, 200);
    assert.match(deprecated.json().secret, /^[A-Za-z0-9]{32}$/);

    const listed = await call('GET', `/api/oidc/clients/${client.id}/secrets`, admin);
    assert.equal(listed.json().length, 3);
    assert.equal(listed.json()[0].isActive, true);
    assert.equal(listed.json()[0].secret, undefined, 'plaintext is never listed');

    for (let i = 3; i < 20; i++) await call('POST', `/api/oidc/clients/${client.id}/secrets`, admin, {});
    const tooMany = await call('POST', `/api/oidc/clients/${client.id}/secrets`, admin, {});
    assert.equal(tooMany.statusCode, 400);
    assert.equal(tooMany.json().code, 'too_many_secrets');

    assert.equal(
      (await call('DELETE', `/api/oidc/clients/${client.id}/secrets/${id}`, admin)).statusCode,
      204,
    );
    assert.equal(
      (await call('DELETE', `/api/oidc/clients/${client.id}/secrets/${id}`, admin)).statusCode,
      404,
    );

    const publicClient = (
      await call('POST', '/api/oidc/clients', admin, { name: 'SPA', isPublic: true })
    ).json();
    assert.equal(publicClient.pkceEnabled, true, 'public clients always use PKCE');
    const refused = await call('POST', `/api/oidc/clients/${publicClient.id}/secrets`, admin, {});
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().code, 'public_client_secret');
  });

  test('deleting a client revokes its tokens and consents', async () => {
    const client = (await call('POST', '/api/oidc/clients', admin, { name: 'Doomed' })).json();
    const other = (await call('POST', '/api/oidc/clients', admin, { name: 'Other' })).json();
    await testApp.db
      .insertInto('oidc_payloads')
      .values([
        {
          id: 'rt1',
          kind: 'RefreshToken',
          payload: JSON.stringify({ clientId: client.id, accountId: userId }),
          grant_id: 'g1',
          user_code: null,
          uid: null,
          expires_at: null,
          consumed_at: null,
        },
        {
          id: 'at1',
          kind: 'AccessToken',
          payload: JSON.stringify({ clientId: client.id }),
          grant_id: 'g1',
          user_code: null,
          uid: null,
          expires_at: null,
          consumed_at: null,
        },
        {
          id: 'at2',
          kind: 'AccessToken',
          payload: JSON.stringify({ clientId: other.id }),
          grant_id: 'g2',
          user_code: null,
          uid: null,
          expires_at: null,
          consumed_at: null,
        },
      ])
      .execute();
    await testApp.db
      .insertInto('user_authorized_oidc_clients')
      .values({
        user_id: userId,
        client_id: client.id,
        scope: '["openid"]',
        last_used_at: new Date().toISOString(),
      })
      .execute();
    await call('POST', `/api/oidc/clients/${client.id}/secrets`, admin, {});

    assert.equal((await call('DELETE', `/api/oidc/clients/${client.id}`, admin)).statusCode, 204);
    const payloads = await testApp.db.selectFrom('oidc_payloads').select('id').orderBy('id').execute();
    assert.deepEqual(
      payloads.map((row) => row.id),
      ['at2'],
    );
    const consents = await testApp.db
      .selectFrom('user_authorized_oidc_clients')
      .select('user_id')
      .where('client_id', '=', client.id)
      .execute();
    assert.equal(consents.length, 0);
    const secrets = await testApp.db
      .selectFrom('oidc_client_secrets')
      .select('id')
      .where('client_id', '=', client.id)
      .execute();
    assert.equal(secrets.length, 0);
  });

  test('client logo upload, read, type check and delete', async () => {
    const client = (await call('POST', '/api/oidc/clients', admin, { name: 'Logo' })).json();
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    const multipart = (data: Buffer, filename: string) => {
      const boundary = '----latchtest';
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
        data,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return { payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    };
    assert.equal((await call('GET', `/api/oidc/clients/${client.id}/logo`, {})).statusCode, 404);
    const upload = multipart(png, 'logo.png');
    const uploaded = await testApp.app.inject({
      method: 'POST',
      url: `/api/oidc/clients/${client.id}/logo`,
      headers: { ...admin, ...upload.headers },
      payload: upload.payload,
    });
    assert.equal(uploaded.statusCode, 204, uploaded.body);
    const logo = await call('GET', `/api/oidc/clients/${client.id}/logo?light=true`, {});
    assert.equal(logo.statusCode, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.equal((await call('GET', `/api/oidc/clients/${client.id}`, admin)).json().hasLogo, true);

    const notImage = multipart(Buffer.from('hello world'), 'x.png');
    const rejected = await testApp.app.inject({
      method: 'POST',
      url: `/api/oidc/clients/${client.id}/logo?light=false`,
      headers: { ...admin, ...notImage.headers },
      payload: notImage.payload,
    });
    assert.equal(rejected.statusCode, 400);
    assert.equal(rejected.json().code, 'invalid_image');
    assert.equal((await call('GET', `/api/oidc/clients/${client.id}`, admin)).json().hasDarkLogo, false);

    const nonAdminUpload = await testApp.app.inject({
      method: 'POST',
      url: `/api/oidc/clients/${client.id}/logo`,
      headers: { ...user, ...upload.headers },
      payload: upload.payload,
    });
    assert.equal(nonAdminUpload.statusCode, 403);

    assert.equal((await call('DELETE', `/api/oidc/clients/${client.id}/logo`, admin)).statusCode, 204);
    assert.equal((await call('GET', `/api/oidc/clients/${client.id}/logo`, {})).statusCode, 404);
  });

  test('401 without credentials, 403 for a non-admin, 404 for unknown ids', async () => {
    const client = (await call('POST', '/api/oidc/clients', admin, { name: 'Guarded' })).json();
    const group = (
      await call('POST', '/api/user-groups', admin, { friendlyName: 'Guarded', name: 'guarded' })
    ).json();
    const routes: Array<[Method, string, unknown?]> = [
      ['GET', '/api/user-groups'],
      ['POST', '/api/user-groups', { friendlyName: 'Aa', name: 'aa' }],
      ['GET', `/api/user-groups/${group.id}`],
      ['PUT', `/api/user-groups/${group.id}`, { friendlyName: 'Bb' }],
      ['DELETE', `/api/user-groups/${group.id}`],
      ['PUT', `/api/user-groups/${group.id}/users`, { userIds: [] }],
      ['PUT', `/api/user-groups/${group.id}/allowed-oidc-clients`, { oidcClientIds: [] }],
      ['GET', '/api/custom-claims/suggestions'],
      ['PUT', `/api/custom-claims/user/${userId}`, []],
      ['PUT', `/api/custom-claims/user-group/${group.id}`, []],
      ['GET', '/api/oidc/clients'],
      ['POST', '/api/oidc/clients', { name: 'x' }],
      ['GET', `/api/oidc/clients/${client.id}`],
      ['PUT', `/api/oidc/clients/${client.id}`, { name: 'y' }],
      ['DELETE', `/api/oidc/clients/${client.id}`],
      ['PUT', `/api/oidc/clients/${client.id}/allowed-user-groups`, { userGroupIds: [] }],
      ['GET', `/api/oidc/clients/${client.id}/secrets`],
      ['POST', `/api/oidc/clients/${client.id}/secrets`, {}],
      ['DELETE', `/api/oidc/clients/${client.id}/secrets/x`],
      ['POST', `/api/oidc/clients/${client.id}/secret`, {}],
      ['DELETE', `/api/oidc/clients/${client.id}/logo`],
    ];
    for (const [method, url, payload] of routes) {
      assert.equal((await call(method, url, {}, payload)).statusCode, 401, `${method} ${url}`);
      const forbidden = await call(method, url, user, payload);
      assert.equal(forbidden.statusCode, 403, `${method} ${url}`);
      assert.equal(forbidden.json().code, 'admin_required');
    }
    assert.equal(
      (
        await testApp.db
          .selectFrom('oidc_clients')
          .select('name')
          .where('id', '=', client.id)
          .executeTakeFirstOrThrow()
      ).name,
      'Guarded',
    );

    const unknown = randomUUID();
    for (const [method, url, payload] of [
      ['GET', `/api/user-groups/${unknown}`],
      ['PUT', `/api/user-groups/${unknown}`, { friendlyName: 'Zz' }],
      ['DELETE', `/api/user-groups/${unknown}`],
      ['PUT', `/api/user-groups/${unknown}/users`, { userIds: [] }],
      ['PUT', `/api/custom-claims/user-group/${unknown}`, []],
      ['GET', `/api/oidc/clients/${unknown}`],
      ['PUT', `/api/oidc/clients/${unknown}`, { name: 'z' }],
      ['DELETE', `/api/oidc/clients/${unknown}`],
      ['GET', `/api/oidc/clients/${unknown}/meta`],
      ['GET', `/api/oidc/clients/${unknown}/secrets`],
      ['POST', `/api/oidc/clients/${unknown}/secrets`, {}],
      ['PUT', `/api/oidc/clients/${unknown}/allowed-user-groups`, { userGroupIds: [] }],
    ] as const) {
      const response = await call(method, url, admin, payload);
      assert.equal(response.statusCode, 404, `${method} ${url}`);
    }
  });
});
