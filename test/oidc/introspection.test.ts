import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import type { User } from '../../src/modules/users/repository.ts';
import { createUser, insertTestUser, signInAs, signInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  createConfidentialClient,
  formPost,
  redirectUri,
  signInWithCode,
  tokenRequest,
} from './flow-helpers.ts';

type Client = Awaited<ReturnType<typeof createConfidentialClient>>;

describeEachEngine('OIDC introspection and the state of users and clients', (engine) => {
  let testApp: TestApp;
  let adminCookie: string;
  before(async () => {
    testApp = await createTestApp({ db: engine });
    adminCookie = await signInAs(
      testApp,
      await insertTestUser(testApp, { username: 'admin', isAdmin: true }),
    );
  });
  after(() => testApp.close());

  async function tokensOf(client: Client, user: User) {
    const browser = await signInUser(testApp, user);
    const { code } = await authorize(testApp, browser, {
      client_id: client.id,
      response_type: 'code',
      scope: 'openid offline_access',
      redirect_uri: redirectUri,
    });
    const response = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: client.basic },
    );
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { access_token: string; refresh_token: string };
  }

  async function active(client: Client, token: string): Promise<boolean> {
    const response = await formPost(
      testApp,
      '/api/oidc/introspect',
      { token },
      { authorization: client.basic },
    );
    assert.equal(response.statusCode, 200, response.body);
    return response.json().active;
  }

  const payloadsOf = async (userId: string) =>
    (await testApp.db.selectFrom('oidc_payloads').select(['kind', 'payload']).execute()).filter((row) =>
      String(typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload)).includes(userId),
    );

  for (const change of ['disabled', 'deleted'] as const) {
    it(`introspection of a ${change} user's tokens answers active false`, async () => {
      const client = await createConfidentialClient(testApp, { skipConsent: true });
      const user = await createUser(testApp);
      const tokens = await tokensOf(client, user);
      assert.equal(await active(client, tokens.access_token), true);
      // Changed behind the admin API's back: the introspection check itself must catch it.
      if (change === 'disabled') {
        await testApp.db.updateTable('users').set({ disabled: true }).where('id', '=', user.id).execute();
      } else {
        await testApp.db.deleteFrom('users').where('id', '=', user.id).execute();
      }
      assert.equal(await active(client, tokens.access_token), false);
      assert.equal(await active(client, tokens.refresh_token), false);
    });
  }

  it("introspection of a user's tokens answers active false once the user left the client's allowed groups", async () => {
    const groupId = randomUUID();
    const now = new Date().toISOString();
    await testApp.db
      .insertInto('user_groups')
      .values({
        id: groupId,
        created_at: now,
        updated_at: now,
        friendly_name: 'Ops',
        name: 'ops',
        ldap_id: null,
      })
      .execute();
    const user = await createUser(testApp);
    await testApp.db
      .insertInto('user_groups_users')
      .values({ user_id: user.id, user_group_id: groupId })
      .execute();
    const client = await createConfidentialClient(testApp, {
      skipConsent: true,
      isGroupRestricted: true,
      allowedUserGroupIds: [groupId],
    });
    const tokens = await tokensOf(client, user);
    assert.equal(await active(client, tokens.access_token), true);
    await testApp.db.deleteFrom('user_groups_users').where('user_id', '=', user.id).execute();
    assert.equal(await active(client, tokens.access_token), false);
    assert.equal(await active(client, tokens.refresh_token), false);
  });

  it("disabling a user through the admin API deletes the user's grants and tokens, not other users'", async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const user = await createUser(testApp);
    const bystander = await createUser(testApp);
    const tokens = await tokensOf(client, user);
    const bystanderTokens = await tokensOf(client, bystander);
    assert.ok((await payloadsOf(user.id)).some((row) => row.kind === 'Grant'));

    const response = await testApp.app.inject({
      method: 'PUT',
      url: `/api/users/${user.id}`,
      headers: { cookie: adminCookie },
      payload: { disabled: true },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(await payloadsOf(user.id), [], 'no grant, token or engine session is left');
    assert.equal(await active(client, tokens.refresh_token), false);
    const refresh = await tokenRequest(
      testApp,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: client.basic },
    );
    assert.equal(refresh.statusCode, 400, refresh.body);
    // Enabling the user again does not bring the tokens back.
    await testApp.app.inject({
      method: 'PUT',
      url: `/api/users/${user.id}`,
      headers: { cookie: adminCookie },
      payload: { disabled: false },
    });
    assert.equal(await active(client, tokens.access_token), false);
    assert.equal(await active(client, bystanderTokens.access_token), true, "other users' tokens stay");
  });

  it("deleting a user through the admin API deletes the user's grants and tokens", async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const user = await createUser(testApp);
    const tokens = await tokensOf(client, user);
    const response = await testApp.app.inject({
      method: 'DELETE',
      url: `/api/users/${user.id}`,
      headers: { cookie: adminCookie },
    });
    assert.equal(response.statusCode, 204, response.body);
    assert.deepEqual(await payloadsOf(user.id), []);
    assert.equal(await active(client, tokens.access_token), false);
  });
});

describeEachEngine("OIDC introspection of another client's tokens", (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(() => testApp.close());

  it("foreign token introspection: a confidential client gets active false for another client's tokens", async () => {
    const owner = await createConfidentialClient(testApp, { skipConsent: true });
    const other = await createConfidentialClient(testApp, { skipConsent: true });
    const user = await createUser(testApp);
    const browser = await signInUser(testApp, user);
    const tokens = await signInWithCode(testApp, browser, owner, 'openid offline_access');
    const machine = (
      await tokenRequest(testApp, { grant_type: 'client_credentials' }, { authorization: owner.basic })
    ).json();
    for (const token of [tokens.access_token, tokens.refresh_token, machine.access_token]) {
      const foreign = await formPost(
        testApp,
        '/api/oidc/introspect',
        { token },
        { authorization: other.basic },
      );
      assert.equal(foreign.statusCode, 200, foreign.body);
      assert.deepEqual(foreign.json(), { active: false }, 'nothing about the token leaks');
      const own = await formPost(testApp, '/api/oidc/introspect', { token }, { authorization: owner.basic });
      assert.equal(own.json().active, true, 'the owner still sees it');
    }
  });
});
