import assert from 'node:assert/strict';
import { it } from 'node:test';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import { migrateToLatest } from '../../src/db/database.ts';
import { databaseRateLimitStore } from '../../src/http/rate-limit/store.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { createTestDatabase, describeEachEngine, openTestDatabase } from '../helpers/test-app.ts';

describeEachEngine('rate limits shared through the database', (engine) => {
  it('two instances share one budget per route and client, and a new window starts afresh', async () => {
    const testDatabase = await createTestDatabase(engine);
    const db = openTestDatabase(testDatabase);
    await migrateToLatest(db);
    let now = new Date('2026-01-01T00:00:00Z');
    const clock: Clock = { now: () => now };
    const instances = await Promise.all(
      [0, 1].map(async () => {
        const app = Fastify();
        await app.register(fastifyRateLimit, {
          global: false,
          store: databaseRateLimitStore({ db, clock }),
        });
        app.post('/login', { config: { rateLimit: { max: 3, timeWindow: 10_000 } } }, async () => ({
          ok: true,
        }));
        app.post('/other', { config: { rateLimit: { max: 3, timeWindow: 10_000 } } }, async () => ({
          ok: true,
        }));
        await app.ready();
        return app;
      }),
    );
    try {
      const hit = (instance: number, url = '/login', ip = '203.0.113.7') =>
        instances[instance]
          .inject({ method: 'POST', url, remoteAddress: ip })
          .then((response) => response.statusCode);
      assert.deepEqual([await hit(0), await hit(1), await hit(0)], [200, 200, 200]);
      assert.equal(await hit(1), 429, 'the fourth hit is refused, whichever instance gets it');
      assert.equal(await hit(0, '/login', '198.51.100.1'), 200, 'other clients have their own budget');
      assert.equal(await hit(0, '/other'), 200, 'other routes have their own budget');
      now = new Date(now.getTime() + 10_001);
      assert.equal(await hit(1), 200, 'a new window starts afresh');
    } finally {
      await Promise.all(instances.map((app) => app.close()));
      await db.destroy();
      await testDatabase.drop();
    }
  });
});
