import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sha256Hex } from '../../src/lib/crypto.ts';
import { adminAndUser, apiCaller, insertTestUser, signInAs } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

const staticKey = 'static-api-key-for-tests-0123456789';

describeEachEngine('application configuration, branding images and API keys', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };
  let user: { cookie: string };
  let userId: string;

  before(async () => {
    testApp = await createTestApp({ db: engine, env: { STATIC_API_KEY: staticKey } });
    ({ admin, user, userId } = await adminAndUser(testApp));
  });
  after(() => testApp.close());

  const call = apiCaller(() => testApp);
  const settingValue = (list: Array<{ key: string; value: string }>, key: string) =>
    list.find((s) => s.key === key)?.value;

  test('partial updates keep other keys; validation names the fields and saves nothing', async () => {
    const saved = await call('PUT', '/api/application-configuration', admin, {
      appName: 'Acme ID',
      sessionDuration: 120,
    });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.equal(settingValue(saved.json(), 'appName'), 'Acme ID');
    assert.equal(settingValue(saved.json(), 'sessionDuration'), '120');
    assert.equal(settingValue(saved.json(), 'allowUserSignups'), 'disabled');
    const second = await call('PUT', '/api/application-configuration', admin, { allowUserSignups: 'open' });
    assert.equal(settingValue(second.json(), 'appName'), 'Acme ID', 'keys left out keep their values');

    const bad = await call('PUT', '/api/application-configuration', admin, {
      appName: 'Changed',
      smtpTls: 'ssl',
      sessionDuration: 'soon',
      emailsVerified: 'yes',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'validation_error');
    assert.ok(bad.json().fields.smtpTls);
    assert.ok(bad.json().fields.sessionDuration);
    assert.ok(bad.json().fields.emailsVerified);
    const all = await call('GET', '/api/application-configuration/all', admin);
    assert.equal(settingValue(all.json(), 'appName'), 'Acme ID', 'nothing saved from a rejected body');
    assert.equal(typeof all.json()[0].isPublic, 'boolean');

    const reset = await call('PUT', '/api/application-configuration', admin, { appName: '' });
    assert.equal(settingValue(reset.json(), 'appName'), 'Latch', 'an empty value restores the default');

    const publicList = await call('GET', '/api/application-configuration', {});
    assert.equal(settingValue(publicList.json(), 'allowUserSignups'), 'open');
    assert.equal(settingValue(publicList.json(), 'smtpHost'), undefined, 'private settings stay private');
  });

  test('sensitive values are encrypted at rest and never returned in clear', async () => {
    await call('PUT', '/api/application-configuration', admin, { smtpPassword: 'hunter2-secret' });
    const row = await testApp.db
      .selectFrom('app_config')
      .selectAll()
      .where('key', '=', 'smtpPassword')
      .executeTakeFirstOrThrow();
    assert.ok(!row.value.includes('hunter2'), 'stored encrypted');
    assert.match(row.value, /^enc:v1:/);
    const all = await call('GET', '/api/application-configuration/all', admin);
    assert.ok(!all.body.includes('hunter2'));
    assert.equal(settingValue(all.json(), 'smtpPassword'), '********');
    assert.equal((await testApp.services.settings.read()).smtpPassword, 'hunter2-secret');
    // Sending the mask back keeps the value.
    await call('PUT', '/api/application-configuration', admin, {
      smtpPassword: '********',
      smtpHost: 'mail',
    });
    assert.equal((await testApp.services.settings.read()).smtpPassword, 'hunter2-secret');
  });

  test('configuration routes: 401 anonymous, 403 non-admin', async () => {
    for (const [method, url, payload] of [
      ['GET', '/api/application-configuration/all'],
      ['PUT', '/api/application-configuration', { appName: 'Hacked' }],
      ['PUT', '/api/application-images/logo'],
      ['DELETE', '/api/application-images/logo'],
    ] as const) {
      assert.equal((await call(method, url, {}, payload)).statusCode, 401, `${method} ${url}`);
      assert.equal((await call(method, url, user, payload)).statusCode, 403, `${method} ${url}`);
    }
    assert.notEqual((await testApp.services.settings.read()).appName, 'Hacked');
  });

  test('branding images: 404 image_not_found when unset, upload with type check, delete', async () => {
    const missing = await call('GET', '/api/application-images/favicon', {});
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'image_not_found');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>');
    const boundary = '----latch';
    const body = (data: Buffer) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n`),
        data,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
    const headers = { ...admin, 'content-type': `multipart/form-data; boundary=${boundary}` };
    const put = await testApp.app.inject({
      method: 'PUT',
      url: '/api/application-images/favicon',
      headers,
      payload: body(svg),
    });
    assert.equal(put.statusCode, 204, put.body);
    const got = await call('GET', '/api/application-images/favicon', {});
    assert.equal(got.statusCode, 200);
    assert.equal(got.headers['content-type'], 'image/svg+xml');
    const wrongType = await testApp.app.inject({
      method: 'PUT',
      url: '/api/application-images/email',
      headers,
      payload: body(svg),
    });
    assert.equal(wrongType.statusCode, 400);
    assert.equal(wrongType.json().code, 'invalid_image');
    const noFile = await call('PUT', '/api/application-images/logo', admin, {});
    assert.equal(noFile.statusCode, 400);
    assert.ok(noFile.json().fields.file);
    assert.equal((await call('DELETE', '/api/application-images/favicon', admin)).statusCode, 204);
    assert.equal((await call('GET', '/api/application-images/favicon', {})).statusCode, 404);
  });

  test('API keys: token shown once and stored hashed; X-API-Key acts as the owner; renew and revoke', async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const created = await call('POST', '/api/api-keys', admin, {
      name: 'Terraform',
      description: 'CI',
      expiresAt,
    });
    assert.equal(created.statusCode, 201, created.body);
    const { apiKey, token } = created.json();
    assert.equal(apiKey.name, 'Terraform');
    assert.equal(apiKey.lastUsedAt, null);
    const row = await testApp.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.key_hash, sha256Hex(token));

    const asKey = await call('GET', '/api/users', { 'x-api-key': token });
    assert.equal(asKey.statusCode, 200, 'the admin owner’s key reaches admin routes');
    const used = await call('GET', '/api/api-keys', admin);
    assert.equal(typeof used.json().data[0].lastUsedAt, 'string');
    assert.equal(used.json().pagination.totalItems, 1);

    const viaKeyCreate = await call(
      'POST',
      '/api/api-keys',
      { 'x-api-key': token },
      { name: 'Nested', expiresAt },
    );
    assert.equal(viaKeyCreate.statusCode, 403);
    assert.equal(viaKeyCreate.json().code, 'api_key_auth_not_allowed');

    const renewed = await call('POST', `/api/api-keys/${apiKey.id}/renew`, admin, { expiresAt });
    assert.equal(renewed.statusCode, 200);
    assert.notEqual(renewed.json().token, token);
    assert.equal(
      (await call('GET', '/api/users', { 'x-api-key': token })).statusCode,
      401,
      'the old token stops working',
    );
    assert.equal((await call('GET', '/api/users', { 'x-api-key': renewed.json().token })).statusCode, 200);

    const bad = await call('POST', '/api/api-keys', admin, { name: 'x', expiresAt: '2001-01-01T00:00:00Z' });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().fields.name);
    const past = await call('POST', '/api/api-keys', admin, {
      name: 'Old key',
      expiresAt: '2001-01-01T00:00:00Z',
    });
    assert.equal(past.statusCode, 400);
    assert.ok(past.json().fields.expiresAt);

    const otherUser = await call('DELETE', `/api/api-keys/${apiKey.id}`, user);
    assert.equal(otherUser.statusCode, 404, "another user's key is invisible");
    assert.equal((await call('DELETE', `/api/api-keys/${apiKey.id}`, admin)).statusCode, 204);
    assert.equal((await call('GET', '/api/users', { 'x-api-key': renewed.json().token })).statusCode, 401);
    assert.equal((await call('GET', '/api/api-keys', {})).statusCode, 401);
  });

  test('expired keys are refused; a non-admin key gets 403 on admin routes; disabled owners are refused', async () => {
    const ownerId = await insertTestUser(testApp, { username: 'keyowner' });
    const cookie = await signInAs(testApp, ownerId);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const { token, apiKey } = (
      await call('POST', '/api/api-keys', { cookie }, { name: 'Mine', expiresAt })
    ).json();
    assert.equal((await call('GET', '/api/users', { 'x-api-key': token })).statusCode, 403);
    await testApp.db
      .updateTable('api_keys')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', apiKey.id)
      .execute();
    assert.equal((await call('GET', '/api/api-keys', { 'x-api-key': token })).statusCode, 401);
    await testApp.db
      .updateTable('api_keys')
      .set({ expires_at: expiresAt })
      .where('id', '=', apiKey.id)
      .execute();
    await testApp.db.updateTable('users').set({ disabled: true }).where('id', '=', ownerId).execute();
    const disabled = await call('GET', '/api/api-keys', { 'x-api-key': token });
    assert.equal(disabled.statusCode, 403);
    assert.equal(disabled.json().code, 'user_disabled');
  });

  test('STATIC_API_KEY acts as an admin that is not a database row', async () => {
    const headers = { 'x-api-key': staticKey };
    const list = await call('GET', '/api/users', headers);
    assert.equal(list.statusCode, 200);
    const client = await call('POST', '/api/oidc/clients', headers, { name: 'Scripted' });
    assert.equal(client.statusCode, 201, client.body);
    assert.equal((await call('GET', '/api/users', { 'x-api-key': `${staticKey}x` })).statusCode, 401);
    assert.equal((await call('GET', '/api/api-keys', headers)).statusCode, 403);
    assert.ok(userId);
  });
});
