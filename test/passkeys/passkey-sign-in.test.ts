import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createPasskeyClient, type PasskeyClient } from '../helpers/passkey-client.ts';
import { createSoftAuthenticator } from '../helpers/soft-authenticator.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

/** Row counts of everything a ceremony may touch, for "nothing changed" assertions. */
async function tableCounts(testApp: TestApp) {
  const count = async (
    table:
      | 'sessions'
      | 'webauthn_credentials'
      | 'audit_logs'
      | 'users'
      | 'webauthn_challenges'
      | 'reauthentication_tokens',
  ) =>
    Number(
      (
        await testApp.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    sessions: await count('sessions'),
    credentials: await count('webauthn_credentials'),
    audit: await count('audit_logs'),
    users: await count('users'),
    challenges: await count('webauthn_challenges'),
    reauthenticationTokens: await count('reauthentication_tokens'),
  };
}

describeEachEngine('passkey setup and sign-in', (engine) => {
  let testApp: TestApp;
  let admin: PasskeyClient;

  before(async () => {
    testApp = await createTestApp({ db: engine });
    admin = createPasskeyClient(testApp);
  });
  after(async () => {
    await testApp.close();
  });

  it('setup creates the first admin, signs it in and then is gone', async () => {
    assert.equal((await admin.request('GET', '/api/signup/setup')).statusCode, 204);
    const response = await admin.setup();
    assert.equal(response.statusCode, 200, response.body);
    const user = response.json();
    assert.equal(user.isAdmin, true);
    assert.equal(user.disabled, false);
    assert.deepEqual(user.userGroups, []);
    assert.deepEqual(user.customClaims, []);
    assert.ok(admin.jar.get('access_token'));

    const again = await createPasskeyClient(testApp).setup({ username: 'second', email: 'b@example.com' });
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 'setup_not_available');
    assert.equal((await admin.request('GET', '/api/signup/setup')).json().code, 'setup_not_available');
  });

  it('registers a passkey named from its AAGUID and audits it', async () => {
    const response = await admin.addPasskey();
    assert.equal(response.statusCode, 200, response.body);
    const passkey = response.json();
    // The soft authenticator claims Google Password Manager's AAGUID (see aaguid-names.json).
    assert.equal(passkey.aaguid, 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4');
    assert.equal(passkey.name, 'Google Password Manager');
    assert.equal(typeof passkey.credentialID, 'string');
    assert.equal(passkey.backupEligible, false);
    const list = (await admin.request('GET', '/api/webauthn/credentials')).json();
    assert.equal(list.length, 1);
    const audit = await testApp.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('event', '=', 'PASSKEY_ADDED')
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].user_agent, 'latch-tests');
  });

  it('names a passkey from an unknown AAGUID "Passkey"', async () => {
    const unknown = createSoftAuthenticator({
      origin: testApp.config.appUrl,
      aaguid: '12345678-9abc-4def-8123-456789abcdef',
    });
    const client = createPasskeyClient(testApp, unknown);
    client.jar.set('access_token', admin.jar.get('access_token')!);
    const response = await client.addPasskey();
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().name, 'Passkey');
    await testApp.db.deleteFrom('webauthn_credentials').where('id', '=', response.json().id).execute();
  });

  it('signs out server side, then signs in with the passkey (amr phr, SIGN_IN audited)', async () => {
    const token = admin.jar.get('access_token')!;
    assert.equal((await admin.request('POST', '/api/webauthn/logout')).statusCode, 204);
    assert.equal(admin.jar.get('access_token'), undefined);
    const stale = await testApp.app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: { cookie: `access_token=${token}` },
    });
    assert.equal(stale.statusCode, 401, 'the old session cookie no longer works');

    const signIn = await admin.signIn();
    assert.equal(signIn.statusCode, 200, signIn.body);
    assert.equal(signIn.json().username, 'admin');
    const me = await admin.request('GET', '/api/users/me');
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().isAdmin, true);
    const session = await testApp.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(session.amr), ['phr']);
    const audit = await testApp.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('event', '=', 'SIGN_IN')
      .execute();
    assert.equal(audit.length, 1);
  });

  it('an ES256 and an EdDSA passkey both work', async () => {
    const ed = createSoftAuthenticator({ origin: testApp.config.appUrl, algorithm: 'EdDSA' });
    const client = createPasskeyClient(testApp, ed);
    client.jar.set('access_token', admin.jar.get('access_token')!);
    assert.equal((await client.addPasskey()).statusCode, 200);
    const fresh = createPasskeyClient(testApp, ed);
    const signIn = await fresh.signIn();
    assert.equal(signIn.statusCode, 200, signIn.body);
  });

  it('refuses a replayed assertion, and nothing changes', async () => {
    const client = createPasskeyClient(testApp, admin.authenticator);
    const body = await client.assertion();
    const challengeCookie = client.jar.get('session')!;
    assert.equal((await client.request('POST', '/api/webauthn/login/finish', body)).statusCode, 200);
    const before = await tableCounts(testApp);
    client.jar.set('session', challengeCookie);
    const replay = await client.request('POST', '/api/webauthn/login/finish', body);
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().code, 'challenge_invalid');
    // Replayed against a fresh challenge, the signed challenge no longer matches.
    await client.request('GET', '/api/webauthn/login/start');
    const replayFresh = await client.request('POST', '/api/webauthn/login/finish', body);
    assert.equal(replayFresh.statusCode, 400);
    assert.equal(replayFresh.json().code, 'passkey_verification_failed');
    assert.deepEqual(await tableCounts(testApp), before);
  });

  for (const [label, overrides, code] of [
    ['another origin', { origin: 'http://evil.example:1411' }, 'passkey_verification_failed'],
    ['another RP ID', { rpId: 'evil.example' }, 'passkey_verification_failed'],
    ['no user verification', { userVerified: false }, 'passkey_verification_failed'],
    ['a registration type', { type: 'webauthn.create' }, 'passkey_verification_failed'],
  ] as const) {
    it(`refuses an assertion with ${label}, and nothing changes`, async () => {
      const client = createPasskeyClient(testApp, admin.authenticator);
      const before = await tableCounts(testApp);
      const response = await client.signIn(overrides);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, code);
      assert.equal(client.jar.get('access_token'), undefined);
      assert.deepEqual(await tableCounts(testApp), before);
    });
  }

  it('refuses an assertion without a challenge cookie, or with an expired challenge', async () => {
    const client = createPasskeyClient(testApp, admin.authenticator);
    const body = await client.assertion();
    const challengeId = client.jar.get('session')!;
    client.jar.delete('session');
    const before = await tableCounts(testApp);
    const missing = await client.request('POST', '/api/webauthn/login/finish', body);
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().code, 'challenge_invalid');

    await testApp.db
      .updateTable('webauthn_challenges')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', challengeId)
      .execute();
    client.jar.set('session', challengeId);
    const expired = await client.request('POST', '/api/webauthn/login/finish', body);
    assert.equal(expired.statusCode, 400);
    assert.equal(expired.json().code, 'challenge_invalid');
    // Nothing changed, except that the attempt used up the expired challenge.
    assert.deepEqual(await tableCounts(testApp), { ...before, challenges: before.challenges - 1 });
  });

  it('a failed assertion uses up its challenge: a retry with a valid assertion is refused', async () => {
    const client = createPasskeyClient(testApp, admin.authenticator);
    const start = await client.request('GET', '/api/webauthn/login/start');
    assert.equal(start.statusCode, 200);
    const challengeId = client.jar.get('session')!;
    const before = await tableCounts(testApp);
    const forged = admin.authenticator.assert(start.json(), { origin: 'http://evil.example:1411' });
    const refused = await client.request('POST', '/api/webauthn/login/finish', forged);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().code, 'passkey_verification_failed');
    assert.deepEqual(await tableCounts(testApp), { ...before, challenges: before.challenges - 1 });

    client.jar.set('session', challengeId);
    const retry = await client.request(
      'POST',
      '/api/webauthn/login/finish',
      admin.authenticator.assert(start.json()),
    );
    assert.equal(retry.statusCode, 400);
    assert.equal(retry.json().code, 'challenge_invalid');
    assert.equal(client.jar.get('access_token'), undefined);
    assert.deepEqual(await tableCounts(testApp), { ...before, challenges: before.challenges - 1 });
  });

  it('a failed registration uses up its challenge: a retry with a valid response is refused', async () => {
    const start = await admin.request('GET', '/api/webauthn/register/start');
    assert.equal(start.statusCode, 200);
    const challengeId = admin.jar.get('session')!;
    const before = await tableCounts(testApp);
    const unverified = admin.authenticator.register(start.json(), { userVerified: false });
    admin.authenticator.credentials.pop();
    const refused = await admin.request('POST', '/api/webauthn/register/finish', unverified);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().code, 'passkey_verification_failed');

    admin.jar.set('session', challengeId);
    const valid = admin.authenticator.register(start.json());
    admin.authenticator.credentials.pop();
    const retry = await admin.request('POST', '/api/webauthn/register/finish', valid);
    assert.equal(retry.statusCode, 400);
    assert.equal(retry.json().code, 'challenge_invalid');
    assert.deepEqual(await tableCounts(testApp), { ...before, challenges: before.challenges - 1 });
  });

  it('refuses a registration challenge used for sign-in', async () => {
    const start = await admin.request('GET', '/api/webauthn/register/start');
    assert.equal(start.statusCode, 200);
    const client = createPasskeyClient(testApp, admin.authenticator);
    client.jar.set('session', admin.jar.get('session')!);
    const body = admin.authenticator.assert({ challenge: start.json().challenge, rpId: 'localhost' });
    const response = await client.request('POST', '/api/webauthn/login/finish', body);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'challenge_invalid');
  });

  it('refuses an unknown passkey with unknown_passkey', async () => {
    const stranger = createSoftAuthenticator({ origin: testApp.config.appUrl });
    stranger.register({ challenge: 'x', rp: { id: 'localhost' }, user: { id: 'abc' }, pubKeyCredParams: [] });
    const client = createPasskeyClient(testApp, stranger);
    const before = await tableCounts(testApp);
    const response = await client.signIn();
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'unknown_passkey');
    assert.deepEqual(await tableCounts(testApp), before);
  });

  it('refuses a registration without user verification when it is required, or from another origin', async () => {
    const before = await tableCounts(testApp);
    for (const overrides of [
      { userVerified: false },
      { origin: 'http://localhost:9999' },
      { rpId: 'example.com' },
    ]) {
      const response = await admin.addPasskey(overrides);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'passkey_verification_failed');
    }
    assert.deepEqual(await tableCounts(testApp), before);
  });

  it('refuses malformed and oversized bodies with clear 4xx codes', async () => {
    const before = await tableCounts(testApp);
    const notJson = await admin.request('POST', '/api/webauthn/login/finish', '{nope', {
      'content-type': 'application/json',
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().code, 'invalid_json');
    const wrongShape = await admin.request('POST', '/api/webauthn/register/finish', { id: 1 });
    assert.equal(wrongShape.statusCode, 400);
    assert.equal(wrongShape.json().code, 'validation_error');
    assert.ok(wrongShape.json().fields);
    const huge = await admin.request('POST', '/api/webauthn/login/finish', {
      id: 'a'.repeat(2 * 1024 * 1024),
    });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().code, 'payload_too_large');
    const garbage = await admin.assertion();
    garbage.response.signature = 'AAAA';
    const bad = await admin.request('POST', '/api/webauthn/login/finish', garbage);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'passkey_verification_failed');
    assert.deepEqual(await tableCounts(testApp), before);
  });

  it('a disabled user cannot sign in, and disabling ends their sessions', async () => {
    const user = (await admin.request('GET', '/api/users/me')).json();
    await testApp.db.updateTable('users').set({ disabled: true }).where('id', '=', user.id).execute();
    await testApp.services.passkeys.endAllSessionsOfUser(user.id);
    assert.equal((await admin.request('GET', '/api/users/me')).statusCode, 401);
    const before = await tableCounts(testApp);
    const response = await admin.signIn();
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'user_disabled');
    assert.deepEqual(await tableCounts(testApp), before);
    await testApp.db.updateTable('users').set({ disabled: false }).where('id', '=', user.id).execute();
    assert.equal((await admin.signIn()).statusCode, 200);
  });
});
