import assert from 'node:assert/strict';
import { it } from 'node:test';
import { insertTestUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine } from '../helpers/test-app.ts';

const staticKey = 'trust-proxy-static-key-0123456789';

describeEachEngine('client addresses behind a reverse proxy', (engine) => {
  for (const trustProxy of [true, false]) {
    it(`TRUST_PROXY=${trustProxy}: the audit log records ${trustProxy ? 'X-Forwarded-For' : 'the peer address'}`, async () => {
      const testApp = await createTestApp({
        db: engine,
        env: { TRUST_PROXY: String(trustProxy), STATIC_API_KEY: staticKey },
      });
      try {
        const userId = await insertTestUser(testApp, { username: 'proxied' });
        const link = await testApp.app.inject({
          method: 'POST',
          url: `/api/users/${userId}/one-time-access-token`,
          headers: { 'x-api-key': staticKey },
          payload: { ttl: '15m' },
        });
        assert.equal(link.statusCode, 201, link.body);
        const exchange = await testApp.app.inject({
          method: 'POST',
          url: `/api/one-time-access-token/${link.json().token}`,
          remoteAddress: '10.0.0.2',
          headers: { 'x-forwarded-for': '203.0.113.9', 'user-agent': 'proxy-test' },
        });
        assert.equal(exchange.statusCode, 200, exchange.body);
        const row = await testApp.db
          .selectFrom('audit_logs')
          .select(['event', 'ip_address', 'user_agent'])
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow();
        assert.deepEqual(row, {
          event: 'TOKEN_SIGN_IN',
          ip_address: trustProxy ? '203.0.113.9' : '10.0.0.2',
          user_agent: 'proxy-test',
        });
      } finally {
        await testApp.close();
      }
    });
  }
});
