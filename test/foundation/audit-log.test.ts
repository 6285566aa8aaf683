import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { adminAndUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

describeEachEngine('audit log API', (engine) => {
  let testApp: TestApp;
  let people: Awaited<ReturnType<typeof adminAndUser>>;

  before(async () => {
    // Each event a second after the previous one, so "newest first" is deterministic.
    let tick = Date.parse('2026-05-01T00:00:00Z');
    const clock = {
      now: () => {
        tick += 1000;
        return new Date(tick);
      },
    };
    testApp = await createTestApp({ db: engine, clock });
    people = await adminAndUser(testApp);
    const { audit } = testApp.services;
    const at = (ipAddress: string | null, userAgent = 'Firefox') => ({ ipAddress, userAgent });
    await audit.record({ event: 'SIGN_IN', userId: people.userId, ...at('203.0.113.5') });
    await audit.record({
      event: 'NEW_CLIENT_AUTHORIZATION',
      userId: people.userId,
      data: { clientName: 'Nextcloud' },
      ...at('192.168.1.20'),
    });
    await audit.record({
      event: 'CLIENT_AUTHORIZATION',
      userId: people.adminId,
      data: { clientName: 'Grafana' },
      ...at('10.1.2.3', 'Chrome'),
    });
    await audit.record({ event: 'SIGN_IN', userId: people.adminId, ...at('2001:db8::1', 'Chrome') });
  });
  after(() => testApp.close());

  const get = (url: string, cookie?: string) =>
    testApp.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });

  it('a user reads only their own events, newest first, with upstream field names', async () => {
    const response = await get('/api/audit-logs', people.user.cookie);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.pagination.totalItems, 2);
    assert.deepEqual(
      body.data.map((entry: { event: string }) => entry.event),
      ['NEW_CLIENT_AUTHORIZATION', 'SIGN_IN'],
    );
    const [latest] = body.data;
    assert.equal(latest.userID, people.userId);
    assert.equal(latest.username, 'regular');
    assert.equal(latest.device, 'Firefox');
    assert.equal(latest.ipAddress, '192.168.1.20');
    assert.deepEqual(latest.data, { clientName: 'Nextcloud' });
    assert.match(latest.createdAt, /^\d{4}-\d\d-\d\dT/);

    const filtered = await get('/api/audit-logs?filters[event]=SIGN_IN', people.user.cookie);
    assert.equal(filtered.json().pagination.totalItems, 1);
  });

  it('an admin filters everyone’s events by user, event, client and location', async () => {
    const total = async (query: string) => {
      const response = await get(`/api/audit-logs/all?${query}`, people.admin.cookie);
      assert.equal(response.statusCode, 200, response.body);
      return response.json().pagination.totalItems as number;
    };
    assert.equal(await total(''), 4);
    assert.equal(await total(`filters[userID]=${people.adminId}`), 2);
    assert.equal(await total('filters[event]=SIGN_IN'), 2);
    assert.equal(await total('filters[clientName]=Nextcloud'), 1);
    assert.equal(await total('filters[location]=internal'), 2);
    assert.equal(await total('filters[location]=external'), 2);
    assert.equal(await total('pagination[limit]=1&pagination[page]=2'), 4);

    const names = await get('/api/audit-logs/filters/client-names', people.admin.cookie);
    assert.deepEqual(names.json(), ['Grafana', 'Nextcloud']);
    const users = await get('/api/audit-logs/filters/users', people.admin.cookie);
    assert.deepEqual(users.json(), { [people.adminId]: 'admin', [people.userId]: 'regular' });
  });

  it('refuses anonymous callers, non-admins on the global log, and bad filters', async () => {
    assert.equal((await get('/api/audit-logs')).statusCode, 401);
    for (const url of [
      '/api/audit-logs/all',
      '/api/audit-logs/filters/client-names',
      '/api/audit-logs/filters/users',
    ]) {
      const response = await get(url, people.user.cookie);
      assert.equal(response.statusCode, 403, url);
      assert.equal(response.json().code, 'admin_required');
    }
    const bad = await get('/api/audit-logs/all?filters[location]=moon', people.admin.cookie);
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().fields['filters[location]']);
  });
});
