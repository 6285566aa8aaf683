import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Clock } from '../../src/lib/clock.ts';
import { isDeviceLoginCode } from '../../src/lib/user-codes.ts';
import { createPasskeyClient, createSignedInUser, type PasskeyClient } from '../helpers/passkey-client.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

describeEachEngine('sign in with another device', (engine) => {
  let testApp: TestApp;
  let approver: PasskeyClient;
  let approverId: string;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

  before(async () => {
    testApp = await createTestApp({ db: engine, clock });
    ({ client: approver, userId: approverId } = await createSignedInUser(testApp, {
      username: 'approver',
      firstName: 'Ada',
      lastName: 'Lovelace',
    }));
  });
  after(() => testApp.close());

  /** A signed-out browser that starts a request. */
  async function newDevice() {
    const device = createPasskeyClient(testApp);
    const created = await device.request('POST', '/api/device-login/requests', undefined, {
      'user-agent': 'Mozilla/5.0 (New Device)',
    });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json();
    return { device, ...body } as { device: PasskeyClient; id: string; userCode: string };
  }
  const exchange = (device: PasskeyClient, id: string, timeout = 0) =>
    device.request('POST', `/api/device-login/requests/${id}/exchange?timeout=${timeout}`);
  const decide = (code: string, decision: 'approve' | 'deny', client = approver) =>
    client.request('POST', '/api/device-login/verification/decision', { code, decision });
  const statusOf = async (id: string) =>
    (
      await testApp.db
        .selectFrom('device_login_requests')
        .select(['status', 'user_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;
  const sessionCount = async () =>
    Number(
      (
        await testApp.db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('creates a request bound to this browser by an HttpOnly cookie', async () => {
    const created = await createPasskeyClient(testApp).request('POST', '/api/device-login/requests');
    assert.equal(created.statusCode, 201);
    const body = created.json();
    assert.match(body.userCode, /^P[A-Z2-9]{7}$/);
    assert.ok(isDeviceLoginCode(body.userCode));
    assert.equal(body.verificationUri, `${testApp.config.appUrl}/device`);
    assert.equal(body.verificationUriComplete, `${testApp.config.appUrl}/device?code=${body.userCode}`);
    assert.equal(body.interval, 3);
    assert.ok(new Date(body.expiresAt).getTime() > Date.now());
    const cookie = String(created.headers['set-cookie']);
    assert.match(cookie, /^device_login_token=/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, new RegExp(`Path=/api/device-login/requests/${body.id}/exchange`));
  });

  test('approve: the approver sees the device, reauthenticates, and the new device is signed in once', async () => {
    const { device, id, userCode } = await newDevice();
    const pending = await exchange(device, id);
    assert.equal(pending.statusCode, 202);
    assert.deepEqual(pending.json(), { status: 'pending' });

    const info = await approver.request('POST', '/api/device-login/verification', {
      code: userCode.toLowerCase(),
    });
    assert.equal(info.statusCode, 200, info.body);
    assert.equal(info.json().userAgent, 'Mozilla/5.0 (New Device)');
    assert.equal(info.json().userCode, userCode);
    assert.ok(info.json().ipAddress);

    const bindingCookie = device.jar.get('device_login_token');
    assert.ok(bindingCookie);
    // The long poll is waiting when the approval arrives.
    const waiting = exchange(device, id, 10);
    assert.equal((await approver.reauthenticate()).statusCode, 204);
    const approved = await decide(userCode, 'approve');
    assert.equal(approved.statusCode, 204, approved.body);
    const signedIn = await waiting;
    assert.equal(signedIn.statusCode, 200, signedIn.body);
    assert.equal(signedIn.json().id, approverId);
    assert.equal(signedIn.json().username, 'approver');

    const me = await device.request('GET', '/api/users/me');
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().id, approverId);
    const session = await testApp.db
      .selectFrom('sessions')
      .select(['amr', 'user_agent'])
      .where('user_id', '=', approverId)
      .where('user_agent', '=', 'latch-tests')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(session.amr), ['otp']);
    const audit = await testApp.db
      .selectFrom('audit_logs')
      .select(['event', 'user_id'])
      .where('event', '=', 'REMOTE_SIGN_IN')
      .execute();
    assert.deepEqual(audit, [{ event: 'REMOTE_SIGN_IN', user_id: approverId }]);

    // Single use: neither the exchange (even with the cleared cookie put back) nor the code work again.
    assert.equal(device.jar.get('device_login_token'), undefined);
    device.jar.set('device_login_token', bindingCookie);
    const before = await sessionCount();
    const again = await exchange(device, id);
    assert.equal(again.statusCode, 410);
    assert.equal(again.json().code, 'device_login_expired');
    const reused = await decide(userCode, 'approve');
    assert.equal(reused.statusCode, 410);
    assert.equal(await sessionCount(), before);
  });

  test('deny: the new device is told and gets no session', async () => {
    const { device, id, userCode } = await newDevice();
    await approver.reauthenticate();
    const denied = await decide(userCode, 'deny');
    assert.equal(denied.statusCode, 204);
    const before = await sessionCount();
    const refused = await exchange(device, id);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'device_login_denied');
    assert.equal(await sessionCount(), before);
    const approveLater = await decide(userCode, 'approve');
    assert.equal(approveLater.statusCode, 409);
    assert.equal(approveLater.json().code, 'device_login_already_decided');
    assert.equal(await statusOf(id), 'denied');
  });

  test('another browser cannot exchange the request, even once approved', async () => {
    const { id, userCode } = await newDevice();
    const other = await newDevice();
    await approver.reauthenticate();
    assert.equal((await decide(userCode, 'approve')).statusCode, 204);
    const before = await sessionCount();
    // The other browser's own cookie, presented for this request.
    const stolen = await exchange(other.device, id);
    assert.equal(stolen.statusCode, 401);
    assert.equal(stolen.json().code, 'device_login_invalid');
    const noCookie = await createPasskeyClient(testApp).request(
      'POST',
      `/api/device-login/requests/${id}/exchange?timeout=0`,
    );
    assert.equal(noCookie.statusCode, 401);
    assert.equal(await statusOf(id), 'approved');
    assert.equal(await sessionCount(), before);
  });

  test('a decision without a fresh reauthentication is refused and changes nothing', async () => {
    const fresh = await createSignedInUser(testApp, { username: 'noreauth' });
    const { id, userCode } = await newDevice();
    const refused = await decide(userCode, 'approve', fresh.client);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'reauthentication_required');
    assert.equal(await statusOf(id), 'pending');
    const anonymous = await createPasskeyClient(testApp).request('POST', '/api/device-login/verification', {
      code: userCode,
    });
    assert.equal(anonymous.statusCode, 401);
  });

  test('an expired request can neither be approved nor exchanged', async () => {
    const { device, id, userCode } = await newDevice();
    offsetMs = 16 * 60 * 1000;
    try {
      assert.equal((await approver.reauthenticate()).statusCode, 204);
      const late = await decide(userCode, 'approve');
      assert.equal(late.statusCode, 410);
      assert.equal(late.json().code, 'device_login_expired');
      const exchanged = await exchange(device, id);
      assert.equal(exchanged.statusCode, 410);
      assert.equal(await statusOf(id), 'pending');
    } finally {
      offsetMs = 0;
    }
  });

  test('unknown codes and ids, and malformed bodies', async () => {
    await approver.reauthenticate();
    const unknown = await approver.request('POST', '/api/device-login/verification', { code: 'P2345678' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'device_login_not_found');
    const engineCode = await approver.request('POST', '/api/device-login/verification', {
      code: 'BCDF-GHJK',
    });
    assert.equal(engineCode.statusCode, 404);
    const badDecision = await approver.request('POST', '/api/device-login/verification/decision', {
      code: 'P2345678',
      decision: 'maybe',
    });
    assert.equal(badDecision.statusCode, 400);
    assert.equal(badDecision.json().code, 'validation_error');
    const unknownId = await createPasskeyClient(testApp).request(
      'POST',
      '/api/device-login/requests/00000000-0000-4000-8000-000000000000/exchange',
    );
    assert.equal(unknownId.statusCode, 404);
  });

  test('/device sends QR-login codes to the approval page and leaves OAuth device codes to the engine', async () => {
    const { userCode } = await newDevice();
    const redirected = await testApp.app.inject({ method: 'GET', url: `/device?code=${userCode}` });
    assert.equal(redirected.statusCode, 303);
    assert.equal(redirected.headers.location, `/login/device-approve?code=${userCode}`);
    const engine = await testApp.app.inject({ method: 'GET', url: '/device?user_code=BCDF-GHJK' });
    assert.notEqual(engine.statusCode, 303);
  });
});
