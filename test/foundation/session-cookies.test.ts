import assert from 'node:assert/strict';
import { it } from 'node:test';
import { insertTestUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine } from '../helpers/test-app.ts';

const staticKey = 'cookie-test-static-key-0123456789';

describeEachEngine('session cookies', (engine) => {
  for (const appUrl of ['https://id.example.com', 'http://localhost:1411']) {
    const secure = appUrl.startsWith('https');
    it(`on ${secure ? 'HTTPS' : 'plain-http localhost'}: ${secure ? '__Host- prefix, Secure' : 'no prefix'}, HttpOnly, SameSite=Lax; sign-out ends the session server side`, async () => {
      const testApp = await createTestApp({
        db: engine,
        env: { APP_URL: appUrl, STATIC_API_KEY: staticKey },
      });
      try {
        const userId = await insertTestUser(testApp, { username: 'cookie-monster' });
        const link = await testApp.app.inject({
          method: 'POST',
          url: `/api/users/${userId}/one-time-access-token`,
          headers: { 'x-api-key': staticKey },
          payload: { ttl: '15m' },
        });
        const exchange = await testApp.app.inject({
          method: 'POST',
          url: `/api/one-time-access-token/${link.json().token}`,
        });
        assert.equal(exchange.statusCode, 200, exchange.body);
        const setCookie = [exchange.headers['set-cookie'] ?? []]
          .flat()
          .find((line) => /access_token=/.test(line));
        assert.ok(setCookie, 'a session cookie is set');
        const name = secure ? '__Host-access_token' : 'access_token';
        assert.ok(setCookie.startsWith(`${name}=`), setCookie);
        assert.match(setCookie, /; Path=\//);
        assert.match(setCookie, /; HttpOnly/);
        assert.match(setCookie, /; SameSite=Lax/);
        assert.doesNotMatch(setCookie, /; Domain=/i, 'host-only');
        if (secure) assert.match(setCookie, /; Secure/);
        else assert.doesNotMatch(setCookie, /; Secure/);

        const cookie = setCookie.split(';')[0];
        const me = await testApp.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie } });
        assert.equal(me.statusCode, 200);
        const sessionsBefore = await testApp.db
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', userId)
          .execute();
        assert.equal(sessionsBefore.length, 1);

        const logout = await testApp.app.inject({
          method: 'POST',
          url: '/api/webauthn/logout',
          headers: { cookie },
        });
        assert.equal(logout.statusCode, 204);
        const sessionsAfter = await testApp.db
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', userId)
          .execute();
        assert.equal(sessionsAfter.length, 0, 'the session row is gone');
        const replay = await testApp.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie } });
        assert.equal(replay.statusCode, 401, 'the old cookie no longer works');
      } finally {
        await testApp.close();
      }
    });
  }
});
