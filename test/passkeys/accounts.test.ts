import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, it } from 'node:test';
import { createPasskeyClient, createSignedInUser, type PasskeyClient } from '../helpers/passkey-client.ts';
import { insertTestUser, signInAs } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

async function count(
  testApp: TestApp,
  table: 'users' | 'signup_tokens' | 'one_time_access_tokens' | 'sessions',
) {
  const row = await testApp.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function setConfig(testApp: TestApp, key: string, value: string) {
  await testApp.db
    .insertInto('app_config')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

describeEachEngine('accounts: passkey management, login codes, signup', (engine) => {
  let testApp: TestApp;
  let admin: PasskeyClient;
  let member: PasskeyClient;
  let memberId: string;

  before(async () => {
    testApp = await createTestApp({ db: engine });
    admin = createPasskeyClient(testApp);
    assert.equal((await admin.setup()).statusCode, 200);
    assert.equal((await admin.addPasskey()).statusCode, 200);
    ({ client: member, userId: memberId } = await createSignedInUser(testApp, { username: 'member' }));
  });
  after(async () => {
    await testApp.close();
  });

  it('two concurrent setups are refused once an account exists', async () => {
    const results = await Promise.all(
      [1, 2].map((n) => createPasskeyClient(testApp).setup({ username: `late${n}`, email: `late${n}@x.io` })),
    );
    assert.deepEqual(
      results.map((result) => result.json().code),
      ['setup_not_available', 'setup_not_available'],
    );
  });

  it('renames a passkey; deleting needs a fresh reauthentication', async () => {
    const [passkey] = (await admin.request('GET', '/api/webauthn/credentials')).json();
    const renamed = await admin.request('PATCH', `/api/webauthn/credentials/${passkey.id}`, {
      name: 'Laptop',
    });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().name, 'Laptop');
    const tooLong = await admin.request('PATCH', `/api/webauthn/credentials/${passkey.id}`, {
      name: 'x'.repeat(51),
    });
    assert.equal(tooLong.statusCode, 400);
    assert.ok(tooLong.json().fields.name);

    const second = await admin.addPasskey();
    assert.equal(second.statusCode, 200);
    const refused = await admin.request('DELETE', `/api/webauthn/credentials/${passkey.id}`);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'reauthentication_required');

    const other = await member.reauthenticate();
    assert.equal(other.statusCode, 204);
    // Someone else's reauthentication cookie does not count for the admin.
    const crossed = await admin.request('DELETE', `/api/webauthn/credentials/${passkey.id}`, undefined, {
      cookie: `${admin.jar.header()}; reauthentication_token=${member.jar.get('reauthentication_token')}`,
    });
    assert.equal(crossed.statusCode, 403);

    const reauth = await admin.reauthenticate();
    assert.equal(reauth.statusCode, 204, reauth.body);
    const deleted = await admin.request('DELETE', `/api/webauthn/credentials/${passkey.id}`);
    assert.equal(deleted.statusCode, 204);
    const list = (await admin.request('GET', '/api/webauthn/credentials')).json();
    assert.deepEqual(
      list.map((item: { id: string }) => item.id),
      [second.json().id],
    );
    const audit = await testApp.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('event', '=', 'PASSKEY_REMOVED')
      .execute();
    assert.equal(JSON.parse(audit[0].data).passkeyName, 'Laptop');
    // The other user's passkey cannot be renamed or deleted.
    const [memberPasskey] = (await member.request('GET', '/api/webauthn/credentials')).json();
    const foreign = await admin.request('PATCH', `/api/webauthn/credentials/${memberPasskey.id}`, {
      name: 'Mine',
    });
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().code, 'passkey_not_found');
  });

  it('a reauthentication belongs to its session: not to a new sign-in, nor after signing out', async () => {
    const { client: first } = await createSignedInUser(testApp, { username: 'reauth-owner' });
    // Deleting an unknown passkey needs a reauthentication first: 403 without one, 404 with one.
    const probe = (client: PasskeyClient) =>
      client.request('DELETE', '/api/webauthn/credentials/no-such-passkey');
    assert.equal((await first.reauthenticate()).statusCode, 204);
    assert.equal((await probe(first)).statusCode, 404, 'the reauthentication counts in its session');
    const reauthenticationCookie = first.jar.get('reauthentication_token')!;

    const second = createPasskeyClient(testApp, first.authenticator);
    assert.equal((await second.signIn()).statusCode, 200);
    second.jar.set('reauthentication_token', reauthenticationCookie);
    const copied = await probe(second);
    assert.equal(copied.statusCode, 403);
    assert.equal(copied.json().code, 'reauthentication_required');

    assert.equal((await first.request('POST', '/api/webauthn/logout')).statusCode, 204);
    assert.equal((await first.signIn()).statusCode, 200);
    assert.equal(first.jar.get('reauthentication_token'), reauthenticationCookie);
    const afterSignOut = await probe(first);
    assert.equal(afterSignOut.statusCode, 403);
    assert.equal(afterSignOut.json().code, 'reauthentication_required');
  });

  it('signing in while signed in replaces the old session (passkey and login code), leaving no row behind', async () => {
    const { client, userId } = await createSignedInUser(testApp, { username: 'twice' });
    const sessionsOfUser = async () =>
      (await testApp.db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).map(
        (row) => row.id,
      );
    const [first] = await sessionsOfUser();
    assert.ok(first);
    const firstCookie = client.jar.get('access_token')!;

    assert.equal((await client.signIn()).statusCode, 200);
    const afterPasskey = await sessionsOfUser();
    assert.equal(afterPasskey.length, 1);
    assert.notEqual(afterPasskey[0], first);
    const stale = await testApp.app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: { cookie: `access_token=${firstCookie}` },
    });
    assert.equal(stale.statusCode, 401, 'the replaced cookie no longer works');

    const code = await admin.request('POST', `/api/users/${userId}/one-time-access-token`, {});
    assert.equal(code.statusCode, 201);
    const exchanged = await client.request('POST', `/api/one-time-access-token/${code.json().token}`);
    assert.equal(exchanged.statusCode, 200);
    const afterCode = await sessionsOfUser();
    assert.equal(afterCode.length, 1);
    assert.notEqual(afterCode[0], afterPasskey[0]);
    assert.equal((await client.request('GET', '/api/users/me')).statusCode, 200);
  });

  it('reauthentication refuses another user’s passkey', async () => {
    const body = await member.assertion();
    admin.jar.set('session', member.jar.get('session')!);
    const response = await admin.request('POST', '/api/webauthn/reauthenticate', body);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'passkey_verification_failed');
  });

  it('edits my own profile, refusing a taken username; with editing off only the locale applies (200)', async () => {
    const updated = await member.request('PUT', '/api/users/me', { firstName: 'Mia', locale: 'de' });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json().firstName, 'Mia');
    assert.equal(updated.json().locale, 'de');
    const taken = await member.request('PUT', '/api/users/me', { username: 'ADMIN' });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'username_taken');
    await setConfig(testApp, 'allowOwnAccountEdit', 'false');
    // Like upstream: with own-account editing off only the locale applies, the other fields are ignored.
    const locked = await member.request('PUT', '/api/users/me', {
      firstName: 'Nope',
      username: 'renamed',
      email: 'renamed@example.com',
      locale: 'fr',
    });
    assert.equal(locked.statusCode, 200, locked.body);
    assert.equal(locked.json().firstName, 'Mia');
    assert.equal(locked.json().username, 'member');
    assert.equal(locked.json().email, 'member@example.com');
    assert.equal(locked.json().locale, 'fr');
    const row = await testApp.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', memberId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.first_name, row.username, row.email, row.locale],
      ['Mia', 'member', 'member@example.com', 'fr'],
    );
    await setConfig(testApp, 'allowOwnAccountEdit', 'true');
  });

  it('only admins create login codes; a code signs in once (amr otp, TOKEN_SIGN_IN)', async () => {
    const before = await count(testApp, 'one_time_access_tokens');
    const forbidden = await member.request('POST', `/api/users/${memberId}/one-time-access-token`, {});
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'admin_required');
    const anonymous = await createPasskeyClient(testApp).request(
      'POST',
      `/api/users/${memberId}/one-time-access-token`,
    );
    assert.equal(anonymous.statusCode, 401);
    assert.equal(await count(testApp, 'one_time_access_tokens'), before);

    const badTtl = await admin.request('POST', `/api/users/${memberId}/one-time-access-token`, {
      ttl: 'soon',
    });
    assert.equal(badTtl.statusCode, 400);
    assert.ok(badTtl.json().fields.ttl);
    const created = await admin.request('POST', `/api/users/${memberId}/one-time-access-token`, {
      ttl: '1h',
    });
    assert.equal(created.statusCode, 201);
    const { token } = created.json();
    assert.ok(token.length >= 20);
    const stored = await testApp.db.selectFrom('one_time_access_tokens').selectAll().execute();
    assert.ok(
      stored.every((row) => row.token_hash !== token),
      'codes are stored hashed',
    );

    const browser = createPasskeyClient(testApp);
    const exchanged = await browser.request('POST', `/api/one-time-access-token/${token}`);
    assert.equal(exchanged.statusCode, 200);
    assert.equal(exchanged.json().id, memberId);
    const me = await browser.request('GET', '/api/users/me');
    assert.equal(me.json().username, 'member');
    const again = await createPasskeyClient(testApp).request('POST', `/api/one-time-access-token/${token}`);
    assert.equal(again.statusCode, 401);
    assert.equal(again.json().code, 'token_invalid');
    const audit = await testApp.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('event', '=', 'TOKEN_SIGN_IN')
      .execute();
    assert.ok(audit.some((row) => row.user_id === memberId));
  });

  it('an expired code or a disabled user is refused and the code stays unused', async () => {
    const { token } = (
      await admin.request('POST', `/api/users/${memberId}/one-time-access-token`, { ttl: 60 })
    ).json();
    await testApp.db
      .updateTable('one_time_access_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute();
    const expired = await createPasskeyClient(testApp).request('POST', `/api/one-time-access-token/${token}`);
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, 'token_expired');

    const fresh = (await admin.request('POST', `/api/users/${memberId}/one-time-access-token`)).json().token;
    await testApp.db.updateTable('users').set({ disabled: true }).where('id', '=', memberId).execute();
    const sessionsBefore = await count(testApp, 'sessions');
    const disabled = await createPasskeyClient(testApp).request(
      'POST',
      `/api/one-time-access-token/${fresh}`,
    );
    assert.equal(disabled.statusCode, 403);
    assert.equal(disabled.json().code, 'user_disabled');
    assert.equal(await count(testApp, 'sessions'), sessionsBefore);
    await testApp.db.updateTable('users').set({ disabled: false }).where('id', '=', memberId).execute();
    assert.equal(
      (await createPasskeyClient(testApp).request('POST', `/api/one-time-access-token/${fresh}`)).statusCode,
      200,
    );
  });

  it('latch one-time-access-token prints a working link', async () => {
    const result = spawnSync(
      process.execPath,
      ['src/cli.ts', 'one-time-access-token', 'member@example.com'],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        env: {
          ...process.env,
          ...testApp.testDatabase.env,
          APP_URL: testApp.config.appUrl,
          ENCRYPTION_KEY: 'test-encryption-key-0123456789',
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stderr);
    const link = /http:\/\/localhost:1411\/lc\/([A-Z0-9]+)/.exec(result.stdout);
    assert.ok(link, result.stdout);
    const exchanged = await createPasskeyClient(testApp).request(
      'POST',
      `/api/one-time-access-token/${link[1]}`,
    );
    assert.equal(exchanged.statusCode, 200);
    assert.equal(exchanged.json().username, 'member');
    const unknown = spawnSync(process.execPath, ['src/cli.ts', 'one-time-access-token', 'nobody'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, ...testApp.testDatabase.env, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /No user/);
  });

  it('signup is refused while disabled; only admins manage signup tokens', async () => {
    const usersBefore = await count(testApp, 'users');
    const closed = await createPasskeyClient(testApp).request('POST', '/api/signup', {
      username: 'walkin',
      email: 'walkin@example.com',
      firstName: 'Walk',
    });
    assert.equal(closed.statusCode, 403);
    assert.equal(closed.json().code, 'signup_disabled');
    const forbidden = await member.request('POST', '/api/signup-tokens', { ttl: '1h', usageLimit: 1 });
    assert.equal(forbidden.statusCode, 403);
    assert.equal((await member.request('GET', '/api/signup-tokens')).statusCode, 403);
    assert.equal(await count(testApp, 'users'), usersBefore);
    assert.equal(await count(testApp, 'signup_tokens'), 0);
    const invalid = await admin.request('POST', '/api/signup-tokens', { ttl: '1h', usageLimit: 0 });
    assert.equal(invalid.statusCode, 400);
    assert.ok(invalid.json().fields.usageLimit);
  });

  it('a signup token with usage limit 1 works once, then refuses', async () => {
    const created = await admin.request('POST', '/api/signup-tokens', { ttl: '24h', usageLimit: 1 });
    assert.equal(created.statusCode, 201);
    const token = created.json();
    assert.equal(token.usageCount, 0);
    assert.deepEqual(token.userGroups, []);
    const newcomer = createPasskeyClient(testApp);
    const signup = await newcomer.request('POST', '/api/signup', {
      username: 'newcomer',
      email: 'newcomer@example.com',
      firstName: 'New',
      lastName: 'Comer',
      token: token.token,
    });
    assert.equal(signup.statusCode, 201, signup.body);
    assert.equal(signup.json().isAdmin, false);
    assert.equal((await newcomer.addPasskey()).statusCode, 200);
    const usersBefore = await count(testApp, 'users');
    const second = await createPasskeyClient(testApp).request('POST', '/api/signup', {
      username: 'second',
      email: 'second@example.com',
      firstName: 'Sec',
      token: token.token,
    });
    assert.equal(second.statusCode, 400);
    assert.equal(second.json().code, 'signup_token_invalid');
    assert.equal(await count(testApp, 'users'), usersBefore);
    const list = (await admin.request('GET', '/api/signup-tokens')).json();
    assert.equal(list.data[0].usageCount, 1);
    assert.equal(list.pagination.totalItems, 1);
    const audit = await testApp.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('event', '=', 'ACCOUNT_CREATED')
      .execute();
    assert.ok(audit.some((row) => JSON.parse(row.data).signupToken === token.id));
    assert.equal((await admin.request('DELETE', `/api/signup-tokens/${token.id}`)).statusCode, 204);
    assert.equal((await admin.request('DELETE', `/api/signup-tokens/${token.id}`)).statusCode, 404);
  });

  it('concurrent signups never exceed a token’s usage limit', async () => {
    const token = (await admin.request('POST', '/api/signup-tokens', { ttl: 3600, usageLimit: 2 })).json();
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        createPasskeyClient(testApp).request('POST', '/api/signup', {
          username: `rush${n}`,
          email: `rush${n}@example.com`,
          firstName: 'Rush',
          token: token.token,
        }),
      ),
    );
    assert.equal(results.filter((result) => result.statusCode === 201).length, 2);
    assert.equal(results.filter((result) => result.statusCode === 400).length, 2);
    const row = await testApp.db
      .selectFrom('signup_tokens')
      .selectAll()
      .where('id', '=', token.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.usage_count, 2);
  });

  it('open signup creates an account without a token; taken usernames are refused', async () => {
    await setConfig(testApp, 'allowUserSignups', 'open');
    const open = await createPasskeyClient(testApp).request('POST', '/api/signup', {
      username: 'opener',
      email: 'opener@example.com',
      firstName: 'Open',
    });
    assert.equal(open.statusCode, 201);
    const taken = await createPasskeyClient(testApp).request('POST', '/api/signup', {
      username: 'Opener',
      email: 'other@example.com',
      firstName: 'Open',
    });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'username_taken');
    const noEmail = await createPasskeyClient(testApp).request('POST', '/api/signup', {
      username: 'noemail',
      firstName: 'No',
    });
    assert.equal(noEmail.statusCode, 400);
    assert.ok(noEmail.json().fields.email);
    await setConfig(testApp, 'allowUserSignups', 'disabled');
  });
});

describeEachEngine('first-admin setup race and rate limits', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine, env: { DISABLE_RATE_LIMITING: 'false' } });
  });
  after(async () => {
    await testApp.close();
  });

  it('two concurrent setup requests yield exactly one admin', async () => {
    const results = await Promise.all(
      ['first', 'second', 'third'].map((name) =>
        createPasskeyClient(testApp).setup({ username: name, email: `${name}@example.com` }),
      ),
    );
    assert.equal(results.filter((result) => result.statusCode === 200).length, 1);
    assert.ok(
      results
        .filter((result) => result.statusCode !== 200)
        .every((r) => r.json().code === 'setup_not_available'),
    );
    const admins = await testApp.db.selectFrom('users').selectAll().execute();
    assert.equal(admins.length, 1);
  });

  it('login code exchange is rate limited with 429 rate_limited', async () => {
    const client = createPasskeyClient(testApp);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      statuses.push((await client.request('POST', '/api/one-time-access-token/WRONGCODE')).statusCode);
    }
    assert.equal(statuses[0], 401);
    const limited = await client.request('POST', '/api/one-time-access-token/WRONGCODE');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'rate_limited');
  });

  it('challenge creation is rate limited: login/start 30 a minute, register/start 10 (no unbounded rows)', async () => {
    const client = createPasskeyClient(testApp);
    const challenges = async () =>
      Number(
        (
          await testApp.db
            .selectFrom('webauthn_challenges')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await challenges();
    for (let attempt = 0; attempt < 30; attempt++) {
      assert.equal((await client.request('GET', '/api/webauthn/login/start')).statusCode, 200);
    }
    const limited = await client.request('GET', '/api/webauthn/login/start');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'rate_limited');
    assert.equal(await challenges(), before + 30);

    const cookie = await signInAs(testApp, await insertTestUser(testApp, { username: 'limited' }));
    const registerStart = () =>
      testApp.app.inject({ method: 'GET', url: '/api/webauthn/register/start', headers: { cookie } });
    const registrations = await challenges();
    for (let attempt = 0; attempt < 10; attempt++) {
      assert.equal((await registerStart()).statusCode, 200);
    }
    const refused = await registerStart();
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().code, 'rate_limited');
    assert.equal(await challenges(), registrations + 10);
  });

  it('after setup, deleting every account does not reopen setup: GET and POST agree', async () => {
    const client = createPasskeyClient(testApp);
    assert.equal((await client.request('GET', '/api/signup/setup')).json().code, 'setup_not_available');
    await testApp.db.deleteFrom('users').execute();
    const probe = await client.request('GET', '/api/signup/setup');
    assert.equal(probe.statusCode, 404);
    assert.equal(probe.json().code, 'setup_not_available');
    const attempt = await client.setup({ username: 'latecomer', email: 'late@example.com' });
    assert.equal(attempt.statusCode, 404);
    assert.equal(attempt.json().code, 'setup_not_available');
    assert.equal(await count(testApp, 'users'), 0);
  });
});
