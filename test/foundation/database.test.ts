import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, parseJson, toBool } from '../../src/db/database.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { createTestDatabase, describeEachEngine, openTestDatabase } from '../helpers/test-app.ts';

describeEachEngine('database', (engine) => {
  it('migrates a fresh database, and a second run does nothing', async () => {
    const testDatabase = await createTestDatabase(engine);
    const db = openTestDatabase(testDatabase);
    try {
      assert.deepEqual(await migrateToLatest(db), Object.keys(migrations));
      assert.deepEqual(await migrateToLatest(db), []);
    } finally {
      await db.destroy();
      await testDatabase.drop();
    }
  });

  it('migrates exactly once when two instances start at the same time', async () => {
    const testDatabase = await createTestDatabase(engine);
    const first = openTestDatabase(testDatabase);
    const second = openTestDatabase(testDatabase);
    try {
      const [a, b] = await Promise.all([migrateToLatest(first), migrateToLatest(second)]);
      assert.deepEqual([...a, ...b].sort(), Object.keys(migrations).sort());
      const rows = await sql<{ count: number }>`select count(*) as count from schema_migrations`.execute(
        first,
      );
      assert.equal(Number(rows.rows[0].count), Object.keys(migrations).length);
    } finally {
      await first.destroy();
      await second.destroy();
      await testDatabase.drop();
    }
  });

  it('returns the same JS types on both engines', async () => {
    const testDatabase = await createTestDatabase(engine);
    const db = openTestDatabase(testDatabase);
    try {
      await migrateToLatest(db);
      const now = new Date('2026-01-02T03:04:05.678Z').toISOString();
      await db
        .insertInto('users')
        .values({
          id: 'u1',
          created_at: now,
          updated_at: now,
          username: 'Tim',
          email: 'tim@example.com',
          first_name: 'Tim',
          last_name: 'Cook',
          display_name: 'Tim Cook',
          email_verified: true,
          is_admin: false,
          disabled: false,
        })
        .execute();
      await db
        .insertInto('audit_logs')
        .values({
          id: 'a1',
          created_at: now,
          event: 'SIGN_IN',
          user_agent: 'test',
          data: JSON.stringify({ a: [1] }),
          user_id: 'u1',
        })
        .execute();
      const user = await db.selectFrom('users').selectAll().where('id', '=', 'u1').executeTakeFirstOrThrow();
      assert.equal(user.created_at, now);
      assert.equal(toBool(user.email_verified), true);
      assert.equal(toBool(user.is_admin), false);
      const log = await db.selectFrom('audit_logs').selectAll().executeTakeFirstOrThrow();
      assert.equal(typeof log.data, 'string');
      assert.deepEqual(parseJson(log.data, {}), { a: [1] });
      // usernames are unique regardless of case
      await assert.rejects(
        db
          .insertInto('users')
          .values({
            id: 'u2',
            created_at: now,
            updated_at: now,
            username: 'tim',
            first_name: '',
            last_name: '',
            display_name: '',
            email_verified: false,
            is_admin: false,
            disabled: false,
          })
          .execute(),
      );
    } finally {
      await db.destroy();
      await testDatabase.drop();
    }
  });

  it('rolls a failed transaction back completely', async () => {
    const testDatabase = await createTestDatabase(engine);
    const db = openTestDatabase(testDatabase);
    try {
      await migrateToLatest(db);
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('kv').values({ key: 'a', value: '1' }).execute();
          await trx.insertInto('kv').values({ key: 'a', value: '2' }).execute();
        }),
      );
      assert.equal((await db.selectFrom('kv').selectAll().execute()).length, 0);
    } finally {
      await db.destroy();
      await testDatabase.drop();
    }
  });
});
