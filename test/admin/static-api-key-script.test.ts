import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidcClient from 'openid-client';
import { discoverAsConfidentialClient } from '../helpers/relying-party.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import { authorize, CookieJar } from '../oidc/flow-helpers.ts';

const staticKey = 'script-static-api-key-0123456789';

/**
 * The "Done when" scenario: a script holding only STATIC_API_KEY sets everything up, then the user opens the
 * one-time link and a real relying party (openid-client) completes a login whose ID token carries the group
 * and the group's custom claim.
 */
describeEachEngine('a script with only STATIC_API_KEY', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine, env: { STATIC_API_KEY: staticKey } });
  });
  after(() => testApp.close());

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    testApp.app.inject({
      method,
      url,
      headers: { 'x-api-key': staticKey, 'content-type': 'application/json' },
      payload: payload === undefined ? '' : JSON.stringify(payload),
    });

  test('sets up a user, group, claim and client with the key alone; the user then signs in to the client', async () => {
    const user = await api('POST', '/api/users', {
      username: 'scripted',
      email: 'scripted@example.com',
      firstName: 'Scripted',
    });
    assert.equal(user.statusCode, 201, user.body);
    const group = await api('POST', '/api/user-groups', { friendlyName: 'Scripted', name: 'scripted-group' });
    assert.equal(group.statusCode, 201, group.body);
    const claim = await api('PUT', `/api/custom-claims/user-group/${group.json().id}`, [
      { key: 'department', value: 'ops' },
    ]);
    assert.equal(claim.statusCode, 200);
    const members = await api('PUT', `/api/user-groups/${group.json().id}/users`, {
      userIds: [user.json().id],
    });
    assert.equal(members.statusCode, 200);
    const client = await api('POST', '/api/oidc/clients', {
      name: 'Scripted RP',
      callbackURLs: ['http://localhost:9999/callback'],
      isGroupRestricted: true,
    });
    assert.equal(client.statusCode, 201, client.body);
    await api('PUT', `/api/oidc/clients/${client.json().id}/allowed-user-groups`, {
      userGroupIds: [group.json().id],
    });
    const secret = await api('POST', `/api/oidc/clients/${client.json().id}/secrets`);
    assert.equal(secret.statusCode, 201, secret.body);
    assert.match(secret.json().secret, /^[A-Za-z0-9]{32}$/);

    const fetched = await api('GET', `/api/users/${user.json().id}`);
    assert.equal(fetched.json().userGroups[0].name, 'scripted-group');
    assert.deepEqual(fetched.json().userGroups[0].customClaims, [{ key: 'department', value: 'ops' }]);

    const link = await api('POST', `/api/users/${user.json().id}/one-time-access-token`, { ttl: '15m' });
    assert.equal(link.statusCode, 201, link.body);

    // The user opens the link: the code is exchanged for a browser session.
    const exchange = await testApp.app.inject({
      method: 'POST',
      url: `/api/one-time-access-token/${link.json().token}`,
    });
    assert.equal(exchange.statusCode, 200, exchange.body);
    const jar = new CookieJar();
    jar.store(exchange.headers['set-cookie']);

    // A real relying party signs the user in with the authorization code flow and PKCE.
    const relyingParty = await discoverAsConfidentialClient(testApp, client.json().id, secret.json().secret);
    const verifier = oidcClient.randomPKCECodeVerifier();
    const authorizationUrl = oidcClient.buildAuthorizationUrl(relyingParty, {
      redirect_uri: 'http://localhost:9999/callback',
      scope: 'openid profile email groups',
      code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'script-state',
    });
    const { location } = await authorize(
      testApp,
      null,
      Object.fromEntries(authorizationUrl.searchParams),
      jar,
    );
    const tokens = await oidcClient.authorizationCodeGrant(relyingParty, location, {
      pkceCodeVerifier: verifier,
      expectedState: 'script-state',
    });
    const claims = tokens.claims();
    assert.equal(claims?.sub, user.json().id);
    assert.deepEqual(claims?.groups, ['scripted-group']);
    assert.equal(claims?.department, 'ops');
  });
});
