import assert from 'node:assert/strict';
import { it } from 'node:test';
import pino from 'pino';
import { migrateToLatest } from '../../src/db/database.ts';
import { createScheduler } from '../../src/jobs/scheduler.ts';
import type { Clock } from '../../src/lib/clock.ts';
import {
  createTestApp,
  createTestDatabase,
  describeEachEngine,
  openTestDatabase,
} from '../helpers/test-app.ts';

const logger = pino({ level: 'silent' });

describeEachEngine('scheduled jobs', (engine) => {
  it('runs a job once per interval across instances sharing the database', async () => {
    const testDatabase = await createTestDatabase(engine);
    const first = openTestDatabase(testDatabase);
    const second = openTestDatabase(testDatabase);
    try {
      await migrateToLatest(first);
      let now = new Date('2026-01-01T00:00:00.000Z');
      const clock: Clock = { now: () => now };
      let runs = 0;
      const job = { name: 'count', intervalMs: 60_000, run: async () => ++runs };
      const instances = [first, second, first, second].map((db) => {
        const scheduler = createScheduler({ db, clock, logger });
        scheduler.add(job);
        return scheduler;
      });

      const ran = await Promise.all(instances.map((scheduler) => scheduler.tick()));
      assert.equal(runs, 1, 'exactly one instance ran it');
      assert.equal(ran.flat().length, 1);

      now = new Date(now.getTime() + 30_000);
      await Promise.all(instances.map((scheduler) => scheduler.tick()));
      assert.equal(runs, 1, 'not again before the interval has passed');

      now = new Date(now.getTime() + 31_000);
      await Promise.all(instances.map((scheduler) => scheduler.tick()));
      assert.equal(runs, 2, 'once more after the interval');
    } finally {
      await first.destroy();
      await second.destroy();
      await testDatabase.drop();
    }
  });

  it('the cleanup jobs delete expired sessions and audit entries past the retention period', async () => {
    const now = new Date('2026-03-01T00:00:00.000Z');
    const testApp = await createTestApp({
      db: engine,
      env: { AUDIT_LOG_RETENTION_DAYS: '30' },
      clock: { now: () => now },
    });
    try {
      const { db } = testApp;
      const at = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
      await db
        .insertInto('users')
        .values({
          id: 'u1',
          created_at: at(0),
          updated_at: at(0),
          username: 'ada',
          email: null,
          email_verified: false,
          first_name: 'Ada',
          last_name: '',
          display_name: 'Ada',
          is_admin: false,
          ldap_id: null,
          locale: null,
          disabled: false,
        })
        .execute();
      const session = (id: string, expiresAt: string) => ({
        id,
        token_hash: id,
        user_id: 'u1',
        created_at: at(-1),
        expires_at: expiresAt,
        auth_time: at(-1),
        amr: '[]',
        ip_address: null,
        user_agent: '',
      });
      await db
        .insertInto('sessions')
        .values([session('old', at(-0.5)), session('live', at(1))])
        .execute();
      const log = (id: string, createdAt: string) => ({
        id,
        created_at: createdAt,
        event: 'SIGN_IN',
        ip_address: null,
        user_agent: '',
        country: null,
        city: null,
        data: '{}',
        user_id: 'u1',
      });
      await db
        .insertInto('audit_logs')
        .values([log('ancient', at(-31)), log('recent', at(-29))])
        .execute();

      assert.deepEqual((await testApp.scheduler.tick()).sort(), [
        'delete-expired-audit-logs',
        'delete-expired-device-login-requests',
        'delete-expired-login-codes',
        'delete-expired-oidc-payloads',
        'delete-expired-passkey-challenges',
        'delete-expired-sessions',
        'delete-stale-rate-limits',
        'refresh-geolite-database',
      ]);
      const sessions = await db.selectFrom('sessions').select('id').execute();
      const logs = await db.selectFrom('audit_logs').select('id').execute();
      assert.deepEqual(
        sessions.map((row) => row.id),
        ['live'],
      );
      assert.deepEqual(
        logs.map((row) => row.id),
        ['recent'],
      );
    } finally {
      await testApp.close();
    }
  });
});
