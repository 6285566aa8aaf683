import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { adminAndUser, apiCaller, insertTestUser, signInAs } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

describeEachEngine('admin users API', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };
  let user: { cookie: string };
  let adminId: string;
  let regularId: string;

  before(async () => {
    testApp = await createTestApp({ db: engine });
    ({ admin, user, adminId, userId: regularId } = await adminAndUser(testApp));
  });
  after(() => testApp.close());

  const call = apiCaller(() => testApp);

  test('creates, reads, updates and lists a user with exact JSON types', async () => {
    const created = await call('POST', '/api/users', admin, {
      username: 'alice',
      email: 'alice@example.com',
      firstName: 'Alice',
      lastName: 'Liddell',
    });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json();
    assert.equal(body.username, 'alice');
    assert.equal(body.displayName, 'Alice Liddell');
    assert.equal(body.isAdmin, false);
    assert.equal(body.disabled, false);
    assert.equal(body.emailVerified, false);
    assert.deepEqual(body.userGroups, []);
    assert.deepEqual(body.customClaims, []);

    const updated = await call('PUT', `/api/users/${body.id}`, admin, { isAdmin: true, firstName: 'Al' });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().isAdmin, true);
    assert.equal(updated.json().firstName, 'Al');
    assert.equal(updated.json().lastName, 'Liddell', 'fields left out keep their values');
    assert.equal(updated.json().email, 'alice@example.com');

    const fetched = await call('GET', `/api/users/${body.id}`, admin);
    assert.equal(fetched.statusCode, 200);
    assert.equal(fetched.json().isAdmin, true);

    const list = await call('GET', '/api/users?search=alic', admin);
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().pagination.totalItems, 1);
    assert.equal(list.json().data[0].id, body.id);
  });

  test('creates a user with a chosen id; an empty JSON body is a validation error naming fields', async () => {
    const id = randomUUID();
    const created = await call('POST', '/api/users', admin, {
      id,
      username: 'bob',
      email: 'bob@example.com',
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().id, id);

    const empty = await testApp.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '',
    });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().code, 'validation_error');
  });

  test('validation errors name the field and change nothing', async () => {
    const before = await call('GET', '/api/users', admin);
    const bad = await call('POST', '/api/users', admin, { username: 'no spaces!', email: 'not-an-email' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'validation_error');
    assert.ok(bad.json().fields.username);
    assert.ok(bad.json().fields.email);
    const noEmail = await call('POST', '/api/users', admin, { username: 'carol' });
    assert.equal(noEmail.statusCode, 400);
    assert.ok(noEmail.json().fields.email, 'email is required by default (requireUserEmail)');
    const after = await call('GET', '/api/users', admin);
    assert.equal(after.json().pagination.totalItems, before.json().pagination.totalItems);
  });

  test('duplicate username or email is a 409 with a stable code', async () => {
    const dupName = await call('POST', '/api/users', admin, { username: 'ADMIN', email: 'x@example.com' });
    assert.equal(dupName.statusCode, 409);
    assert.equal(dupName.json().code, 'username_taken');
    const dupEmail = await call('POST', '/api/users', admin, {
      username: 'zed',
      email: 'REGULAR@example.com',
    });
    assert.equal(dupEmail.statusCode, 409);
    assert.equal(dupEmail.json().code, 'email_taken');
  });

  test('401 without credentials, 403 for a non-admin, 404 for unknown ids', async () => {
    const routes: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string, unknown?]> = [
      ['GET', '/api/users'],
      ['POST', '/api/users', { username: 'x1', email: 'x1@example.com' }],
      ['GET', `/api/users/${regularId}`],
      ['PUT', `/api/users/${regularId}`, { isAdmin: true }],
      ['DELETE', `/api/users/${regularId}`],
      ['GET', `/api/users/${regularId}/groups`],
      ['PUT', `/api/users/${regularId}/user-groups`, { userGroupIds: [] }],
      ['GET', `/api/users/${regularId}/webauthn-credentials`],
      ['DELETE', `/api/users/${regularId}/webauthn-credentials/abc`],
    ];
    for (const [method, url, payload] of routes) {
      const anonymous = await call(method, url, {}, payload);
      assert.equal(anonymous.statusCode, 401, `${method} ${url}`);
      assert.equal(anonymous.json().code, 'not_signed_in');
      const nonAdmin = await call(method, url, user, payload);
      assert.equal(nonAdmin.statusCode, 403, `${method} ${url}`);
      assert.equal(nonAdmin.json().code, 'admin_required');
    }
    const row = await testApp.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', regularId)
      .executeTakeFirstOrThrow();
    assert.equal(Boolean(row.is_admin), false, 'the non-admin could not make themselves admin');

    const unknown = randomUUID();
    for (const [method, url, payload] of [
      ['GET', `/api/users/${unknown}`],
      ['PUT', `/api/users/${unknown}`, { firstName: 'x' }],
      ['DELETE', `/api/users/${unknown}`],
      ['GET', `/api/users/${unknown}/groups`],
      ['PUT', `/api/users/${unknown}/user-groups`, { userGroupIds: [] }],
      ['GET', `/api/users/${unknown}/webauthn-credentials`],
      ['DELETE', `/api/users/${regularId}/webauthn-credentials/nope`],
    ] as const) {
      const response = await call(method, url, admin, payload);
      assert.equal(response.statusCode, 404, `${method} ${url}`);
      assert.match(response.json().code, /not_found/);
    }
  });

  test('disabling a user ends their sessions; deleting removes passkeys and sessions', async () => {
    const victimId = await insertTestUser(testApp, { username: 'victim' });
    const cookie = await signInAs(testApp, victimId);
    await testApp.db
      .insertInto('webauthn_credentials')
      .values({
        id: randomUUID(),
        created_at: new Date().toISOString(),
        name: 'Key',
        credential_id: `cred-${victimId}`,
        public_key: new Uint8Array([1, 2, 3]),
        counter: 0,
        aaguid: '00000000-0000-0000-0000-000000000000',
        attestation_type: 'none',
        transports: '["internal"]',
        backup_eligible: false,
        backup_state: false,
        last_used_at: null,
        user_id: victimId,
      })
      .execute();
    const passkeys = await call('GET', `/api/users/${victimId}/webauthn-credentials`, admin);
    assert.equal(passkeys.statusCode, 200);
    assert.equal(passkeys.json().length, 1);
    assert.deepEqual(passkeys.json()[0].transport, ['internal']);
    assert.equal(passkeys.json()[0].backupEligible, false);

    const disabled = await call('PUT', `/api/users/${victimId}`, admin, { disabled: true });
    assert.equal(disabled.json().disabled, true);
    const sessions = await testApp.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', victimId)
      .execute();
    assert.equal(sessions.length, 0);
    assert.equal((await call('GET', '/api/users', { cookie })).statusCode, 401);

    await signInAs(testApp, victimId);
    const deleted = await call('DELETE', `/api/users/${victimId}`, admin);
    assert.equal(deleted.statusCode, 204);
    for (const table of ['sessions', 'webauthn_credentials'] as const) {
      const rows = await testApp.db.selectFrom(table).select('id').where('user_id', '=', victimId).execute();
      assert.equal(rows.length, 0, table);
    }
  });

  test('an admin revokes a passkey, audited with the acting admin', async () => {
    const ownerId = await insertTestUser(testApp, { username: 'owner' });
    const id = randomUUID();
    await testApp.db
      .insertInto('webauthn_credentials')
      .values({
        id,
        created_at: new Date().toISOString(),
        name: 'YubiKey',
        credential_id: 'cred-owner',
        public_key: new Uint8Array([1]),
        counter: 0,
        aaguid: '00000000-0000-0000-0000-000000000000',
        attestation_type: 'none',
        transports: '[]',
        backup_eligible: true,
        backup_state: true,
        last_used_at: null,
        user_id: ownerId,
      })
      .execute();
    const removed = await call('DELETE', `/api/users/${ownerId}/webauthn-credentials/${id}`, admin);
    assert.equal(removed.statusCode, 204);
    const log = await testApp.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('event', '=', 'PASSKEY_REMOVED')
      .where('user_id', '=', ownerId)
      .executeTakeFirstOrThrow();
    const data = JSON.parse(log.data);
    assert.equal(data.actorUserID, adminId);
    assert.equal(data.actorUsername, 'admin');
    assert.equal(data.passkeyName, 'YubiKey');
    assert.equal(data.credentialID, 'cred-owner');
  });
});
