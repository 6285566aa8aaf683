import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminAndUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

const userCount = 10_000;

describeEachEngine('user list with 10,000 users', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };

  before(async () => {
    testApp = await createTestApp({ db: engine });
    ({ admin } = await adminAndUser(testApp));
    const base = Date.parse('2024-01-01T00:00:00Z');
    for (let start = 0; start < userCount; start += 500) {
      const rows = [];
      for (let i = start; i < Math.min(start + 500, userCount); i++) {
        const n = String(i).padStart(5, '0');
        const at = new Date(base + i * 1000).toISOString();
        rows.push({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          created_at: at,
          updated_at: at,
          username: `user${n}`,
          email: `user${n}@example.com`,
          email_verified: false,
          first_name: i % 2 === 0 ? 'Even' : 'Odd',
          last_name: `Family${n}`,
          display_name: `User ${n}`,
          is_admin: false,
          ldap_id: null,
          locale: null,
          disabled: false,
        });
      }
      await testApp.db.insertInto('users').values(rows).execute();
    }
  });
  after(() => testApp.close());

  const get = (url: string) => testApp.app.inject({ method: 'GET', url, headers: admin });

  test('default page is 20 items; page 2 continues in username order', async () => {
    const first = await get('/api/users');
    assert.equal(first.json().data.length, 20);
    assert.deepEqual(first.json().pagination, {
      totalPages: Math.ceil((userCount + 2) / 20),
      totalItems: userCount + 2,
      currentPage: 1,
      itemsPerPage: 20,
    });
    const second = await get('/api/users?pagination[page]=2&pagination[limit]=50');
    const body = second.json();
    assert.equal(body.data.length, 50);
    assert.equal(body.pagination.currentPage, 2);
    assert.equal(body.pagination.itemsPerPage, 50);
    // "admin", "regular" sort around the user##### names: admin and regular first, then user00000...
    assert.equal(body.data[0].username, 'user00048');
  });

  test('search and sort are done by the database', async () => {
    const search = await get('/api/users?search=USER0999&sort[column]=username&sort[direction]=desc');
    const body = search.json();
    assert.equal(body.pagination.totalItems, 10);
    assert.equal(body.data[0].username, 'user09999');
    assert.equal(body.data.at(-1).username, 'user09990');

    const byCreated = await get('/api/users?sort[column]=createdAt&sort[direction]=desc&pagination[limit]=3');
    assert.deepEqual(
      byCreated
        .json()
        .data.map((user: { username: string }) => user.username)
        .slice(0, 3).length,
      3,
    );
    const odd = await get('/api/users?search=odd&pagination[limit]=100&pagination[page]=50');
    assert.equal(odd.json().pagination.totalItems, 5000);
    assert.equal(odd.json().data.length, 100);

    const escaped = await get('/api/users?search=%25');
    assert.equal(escaped.json().pagination.totalItems, 0, '% is matched literally');
  });

  test('bad list parameters are validation errors naming the field', async () => {
    const tooBig = await get('/api/users?pagination[limit]=1000');
    assert.equal(tooBig.statusCode, 400);
    assert.ok(tooBig.json().fields['pagination[limit]']);
    const notNumber = await get('/api/users?pagination[page]=abc');
    assert.equal(notNumber.statusCode, 400);
    assert.ok(notNumber.json().fields['pagination[page]']);
    const direction = await get('/api/users?sort[direction]=sideways');
    assert.equal(direction.statusCode, 400);
    // An unknown sort column is ignored rather than reaching SQL.
    assert.equal((await get('/api/users?sort[column]=password;drop')).statusCode, 200);
  });
});

describeEachEngine('UI_CONFIG_DISABLED', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };
  before(async () => {
    testApp = await createTestApp({ db: engine, env: { UI_CONFIG_DISABLED: 'true', APP_NAME: 'From Env' } });
    ({ admin } = await adminAndUser(testApp));
  });
  after(() => testApp.close());

  test('values come from the environment and updates are refused', async () => {
    const refused = await testApp.app.inject({
      method: 'PUT',
      url: '/api/application-configuration',
      headers: admin,
      payload: { appName: 'Changed' },
    });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'ui_config_disabled');
    const rows = await testApp.db.selectFrom('app_config').selectAll().execute();
    assert.equal(rows.length, 0);
    const all = await testApp.app.inject({
      method: 'GET',
      url: '/api/application-configuration/all',
      headers: admin,
    });
    assert.equal(all.json().find((s: { key: string }) => s.key === 'appName').value, 'From Env');
  });
});
