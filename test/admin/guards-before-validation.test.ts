import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { adminAndUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

/** Routes with a body, called with one that is invalid: who is calling is decided before what they sent. */
const routesWithBodies: [method: 'POST' | 'PUT', url: string][] = [
  ['POST', '/api/users'],
  ['PUT', '/api/users/00000000-0000-4000-8000-000000000001'],
  ['PUT', '/api/users/00000000-0000-4000-8000-000000000001/user-groups'],
  ['POST', '/api/user-groups'],
  ['PUT', '/api/user-groups/x/users'],
  ['PUT', '/api/user-groups/x/allowed-oidc-clients'],
  ['POST', '/api/oidc/clients'],
  ['PUT', '/api/oidc/clients/x/allowed-user-groups'],
  ['PUT', '/api/custom-claims/user/x'],
  ['PUT', '/api/custom-claims/user-group/x'],
  ['POST', '/api/signup-tokens'],
  ['PUT', '/api/application-configuration'],
  ['POST', '/api/users/00000000-0000-4000-8000-000000000001/one-time-access-token'],
];

describeEachEngine('admin routes check the caller before the body', (engine) => {
  let testApp: TestApp;
  let people: Awaited<ReturnType<typeof adminAndUser>>;
  before(async () => {
    testApp = await createTestApp({ db: engine });
    people = await adminAndUser(testApp);
  });
  after(() => testApp.close());

  it('an invalid body gets 401 without credentials and 403 for a non-admin, never a validation error', async () => {
    for (const [method, url] of routesWithBodies) {
      const call = (cookie?: string) =>
        testApp.app.inject({
          method,
          url,
          headers: { 'content-type': 'application/json', ...(cookie && { cookie }) },
          payload: '{"ttl": [], "name": 42, "userIds": "x", "userGroupIds": 1, "oidcClientIds": 1}',
        });
      const anonymous = await call();
      assert.equal(anonymous.statusCode, 401, `${method} ${url}: ${anonymous.body}`);
      const regular = await call(people.user.cookie);
      assert.equal(regular.statusCode, 403, `${method} ${url}: ${regular.body}`);
      assert.equal(regular.json().code, 'admin_required');
    }
  });
});
