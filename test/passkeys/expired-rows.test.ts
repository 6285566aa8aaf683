import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { createOneTimeAccessModule } from '../../src/modules/one-time-access/routes.ts';
import { createPasskeysModule } from '../../src/modules/passkeys/routes.ts';
import { insertTestUser, signInAs } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

describeEachEngine('cleanup of expired challenges, reauthentication tokens and login codes', (engine) => {
  let testApp: TestApp;
  let userId: string;
  let sessionId: string;

  before(async () => {
    testApp = await createTestApp({ db: engine });
    userId = await insertTestUser(testApp, { username: 'cleanup' });
    await signInAs(testApp, userId);
    sessionId = (await testApp.db.selectFrom('sessions').select('id').executeTakeFirstOrThrow()).id;
  });
  after(async () => {
    await testApp.close();
  });

  // The modules as application.ts builds them; only their cleanup functions are exercised here.
  function modules() {
    const { clock, audit, sessions, guards, settings } = testApp.services;
    const loadUserDto = () => Promise.reject(new Error('not used by the cleanup'));
    const deps = { db: testApp.db, clock, audit, sessions, guards, loadUserDto };
    return {
      passkeys: createPasskeysModule({
        ...deps,
        appUrl: testApp.config.appUrl,
        readSettings: (trx) => settings.read(trx),
      }),
      oneTimeAccess: createOneTimeAccessModule(deps),
    };
  }

  async function insertRows(label: string, expiresAt: string) {
    const createdAt = new Date(Date.parse(expiresAt) - 60_000).toISOString();
    await testApp.db
      .insertInto('webauthn_challenges')
      .values({
        id: randomUUID(),
        challenge: `challenge-${label}`,
        ceremony: 'authentication',
        user_id: null,
        user_verification: 'required',
        data: '{}',
        created_at: createdAt,
        expires_at: expiresAt,
      })
      .execute();
    await testApp.db
      .insertInto('reauthentication_tokens')
      .values({
        id: randomUUID(),
        token_hash: `reauthentication-${label}`,
        user_id: userId,
        session_id: sessionId,
        created_at: createdAt,
        expires_at: expiresAt,
      })
      .execute();
    await testApp.db
      .insertInto('one_time_access_tokens')
      .values({
        id: randomUUID(),
        token_hash: `code-${label}`,
        user_id: userId,
        created_at: createdAt,
        expires_at: expiresAt,
      })
      .execute();
  }

  it('deletes only the expired rows and reports how many', async () => {
    const now = Date.now();
    await insertRows('expired', new Date(now - 1000).toISOString());
    await insertRows('live', new Date(now + 600_000).toISOString());
    const { passkeys, oneTimeAccess } = modules();

    assert.equal(await passkeys.deleteExpired(), 2);
    assert.equal(await oneTimeAccess.deleteExpired(), 1);
    assert.equal(await passkeys.deleteExpired(), 0);
    assert.equal(await oneTimeAccess.deleteExpired(), 0);

    const left = async (
      table: 'webauthn_challenges' | 'reauthentication_tokens' | 'one_time_access_tokens',
    ) => (await testApp.db.selectFrom(table).select('expires_at').execute()).map((row) => row.expires_at);
    for (const table of [
      'webauthn_challenges',
      'reauthentication_tokens',
      'one_time_access_tokens',
    ] as const) {
      const rows = await left(table);
      assert.equal(rows.length, 1, table);
      assert.ok(Date.parse(rows[0]) > now, `${table} keeps the live row`);
    }
  });
});
