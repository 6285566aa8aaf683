import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { insertTestUser, signInAs } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

describeEachEngine('http foundation', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(async () => {
    await testApp.close();
  });

  it('GET /healthz answers 204 when the database answers', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 204);
  });

  it('GET /api/application-configuration lists public settings with their defaults', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/application-configuration' });
    assert.equal(response.statusCode, 200);
    const settings = response.json() as { key: string; type: string; value: string }[];
    const byKey = Object.fromEntries(settings.map((setting) => [setting.key, setting]));
    assert.deepEqual(byKey.appName, { key: 'appName', type: 'string', value: 'Latch' });
    assert.equal(byKey.allowUserSignups.value, 'disabled');
    assert.equal(byKey.uiConfigDisabled.value, 'false');
    assert.equal(byKey.smtpPassword, undefined, 'sensitive settings are never public');
    assert.equal(byKey.sessionDuration, undefined, 'non-public settings are not listed');
    assert.match(String(response.headers['cache-control']), /no-store/);
  });

  it('GET /api/version/current needs a signed-in user (401 anonymous), then answers the package version', async () => {
    const anonymous = await testApp.app.inject({ method: 'GET', url: '/api/version/current' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().code, 'not_signed_in');
    const cookie = await signInAs(testApp, await insertTestUser(testApp, { username: 'version-reader' }));
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/version/current',
      headers: { cookie },
    });
    assert.equal(response.statusCode, 200);
    assert.match(response.json().currentVersion, /^\d+\.\d+\.\d+/);
  });

  it('an unknown /api path is a JSON 404 with a code and request id', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/nope' });
    assert.equal(response.statusCode, 404);
    const body = response.json();
    assert.equal(body.code, 'not_found');
    assert.equal(typeof body.error, 'string');
    assert.equal(body.request_id, response.headers['x-request-id']);
  });

  it('sets security headers on every response', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/application-configuration' });
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.ok(response.headers['referrer-policy']);
  });

  it('refuses malformed JSON with 400 invalid_json', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/nope',
      payload: '{"broken":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'invalid_json');
  });

  it('refuses bodies over 1 MiB with 413 payload_too_large', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/nope',
      payload: JSON.stringify({ blob: 'x'.repeat(1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().code, 'payload_too_large');
  });

  it('accepts an empty body sent as application/json (API clients do this)', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/nope',
      payload: '',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 404, 'reaches routing instead of failing on the body');
  });
});
