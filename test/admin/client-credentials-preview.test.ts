import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { adminAndUser, apiCaller } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import { tokenRequest } from '../oidc/flow-helpers.ts';

const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describeEachEngine(
  'admin OIDC clients: back-channel logout, private_key_jwt keys, federated identities, preview',
  (engine) => {
    let testApp: TestApp;
    let admin: { cookie: string };
    let user: { cookie: string };
    let userId: string;

    before(async () => {
      testApp = await createTestApp({ db: engine });
      ({ admin, user, userId } = await adminAndUser(testApp));
    });
    after(() => testApp.close());

    const call = apiCaller(() => testApp);
    const credentialsColumn = async (id: string) =>
      JSON.parse(
        (
          await testApp.db
            .selectFrom('oidc_clients')
            .select('credentials')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).credentials,
      );

    test('backChannelLogoutUrl is stored, returned, kept on partial updates and cleared with ""', async () => {
      const created = await call('POST', '/api/oidc/clients', admin, {
        name: 'BCL',
        backChannelLogoutUrl: 'https://rp.example.com/backchannel',
      });
      assert.equal(created.statusCode, 201, created.body);
      const client = created.json();
      assert.equal(client.backChannelLogoutUrl, 'https://rp.example.com/backchannel');
      const row = await testApp.db
        .selectFrom('oidc_clients')
        .select('back_channel_logout_url')
        .where('id', '=', client.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.back_channel_logout_url, 'https://rp.example.com/backchannel');

      const renamed = await call('PUT', `/api/oidc/clients/${client.id}`, admin, { name: 'BCL 2' });
      assert.equal(renamed.json().backChannelLogoutUrl, 'https://rp.example.com/backchannel');

      for (const bad of ['https://*.example.com/bcl', 'javascript:alert(1)', 'not a url']) {
        const refused = await call('PUT', `/api/oidc/clients/${client.id}`, admin, {
          backChannelLogoutUrl: bad,
        });
        assert.equal(refused.statusCode, 400, bad);
        assert.equal(refused.json().code, 'validation_error');
        assert.ok(refused.json().fields.backChannelLogoutUrl, bad);
      }
      const cleared = await call('PUT', `/api/oidc/clients/${client.id}`, admin, {
        backChannelLogoutUrl: '',
      });
      assert.equal(cleared.json().backChannelLogoutUrl, null);
      const list = await call('GET', '/api/oidc/clients?search=BCL', admin);
      assert.equal(list.json().data[0].backChannelLogoutUrl, null);
    });

    test('inline JWKS for private_key_jwt: stored where the engine reads it, and a signed assertion authenticates', async () => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'admin-rp', alg: 'ES256', use: 'sig' };
      const created = await call('POST', '/api/oidc/clients', admin, {
        name: 'Key client',
        credentials: { jwks: { keys: [jwk] } },
      });
      assert.equal(created.statusCode, 201, created.body);
      const client = created.json();
      assert.deepEqual(client.credentials.jwks, { keys: [jwk] });
      assert.equal(client.credentials.jwksUri, null);
      assert.deepEqual(client.credentials.federatedIdentities, []);
      assert.deepEqual((await credentialsColumn(client.id)).jwks, { keys: [jwk] });

      // An update of the federated identities alone keeps the keys.
      const updated = await call('PUT', `/api/oidc/clients/${client.id}`, admin, {
        credentials: { federatedIdentities: [{ issuer: 'https://ci.example.com' }] },
      });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.deepEqual(updated.json().credentials.jwks, { keys: [jwk] });

      const assertion = await new SignJWT({ aud: 'http://localhost:1411', jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'admin-rp' })
        .setIssuer(client.id)
        .setSubject(client.id)
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(pair.privateKey);
      const token = await tokenRequest(testApp, {
        grant_type: 'client_credentials',
        client_assertion_type: assertionType,
        client_assertion: assertion,
      });
      assert.equal(token.statusCode, 200, token.body);
      assert.equal(typeof token.json().access_token, 'string');
    });

    test('JWKS validation: private keys, bad keys and jwks together with jwksUri are refused; nothing changes', async () => {
      const client = (
        await call('POST', '/api/oidc/clients', admin, {
          name: 'Uri client',
          credentials: { jwksUri: 'https://rp.example.com/jwks.json' },
        })
      ).json();
      assert.equal(client.credentials.jwksUri, 'https://rp.example.com/jwks.json');
      assert.equal((await credentialsColumn(client.id)).jwksUri, 'https://rp.example.com/jwks.json');
      const before = await credentialsColumn(client.id);

      const pair = await generateKeyPair('ES256', { extractable: true });
      const privateJwk = await exportJWK(pair.privateKey);
      const publicJwk = await exportJWK(pair.publicKey);
      const cases: Array<[unknown, string]> = [
        [{ jwks: { keys: [privateJwk] } }, 'credentials.jwks.keys.0'],
        [{ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'bad' }] } }, 'credentials.jwks.keys.0'],
        [{ jwks: { keys: [] } }, 'credentials.jwks.keys'],
        [{ jwksUri: 'ftp://rp.example.com/jwks' }, 'credentials.jwksUri'],
        [{ jwks: { keys: [publicJwk] }, jwksUri: 'https://rp.example.com/jwks.json' }, 'credentials.jwksUri'],
        [{ federatedIdentities: [{ issuer: '' }] }, 'credentials.federatedIdentities.0.issuer'],
        [
          { federatedIdentities: [{ issuer: 'https://ci', jwks: 'not a url' }] },
          'credentials.federatedIdentities.0.jwks',
        ],
      ];
      for (const [credentials, field] of cases) {
        const refused = await call('PUT', `/api/oidc/clients/${client.id}`, admin, { credentials });
        assert.equal(refused.statusCode, 400, JSON.stringify(credentials));
        assert.ok(refused.json().fields[field], `${field} in ${refused.body}`);
      }
      assert.deepEqual(await credentialsColumn(client.id), before);

      const cleared = await call('PUT', `/api/oidc/clients/${client.id}`, admin, {
        credentials: { jwksUri: null },
      });
      assert.equal(cleared.json().credentials.jwksUri, null);
      assert.equal((await credentialsColumn(client.id)).jwksUri, undefined);
    });

    test('federated identities round-trip with every field', async () => {
      const identity = {
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:acme/app:ref:refs/heads/main',
        audience: 'https://latch.example.com',
        jwks: 'https://token.actions.githubusercontent.com/.well-known/jwks',
        replayProtection: true,
      };
      const created = await call('POST', '/api/oidc/clients', admin, {
        name: 'CI',
        credentials: { federatedIdentities: [identity] },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(created.json().credentials.federatedIdentities, [identity]);
      const fetched = await call('GET', `/api/oidc/clients/${created.json().id}`, admin);
      assert.deepEqual(fetched.json().credentials.federatedIdentities, [identity]);
    });

    test('preview: groups and custom claims (the user wins) by scope; 401, 403 and 404', async () => {
      const group = (
        await call('POST', '/api/user-groups', admin, { friendlyName: 'Developers', name: 'developers' })
      ).json();
      await call('PUT', `/api/user-groups/${group.id}/users`, admin, { userIds: [userId] });
      await call('PUT', `/api/custom-claims/user-group/${group.id}`, admin, [
        { key: 'team', value: 'group-team' },
        { key: 'level', value: '3' },
      ]);
      await call('PUT', `/api/custom-claims/user/${userId}`, admin, [{ key: 'team', value: 'user-team' }]);
      const client = (
        await call('POST', '/api/oidc/clients', admin, { name: 'Preview', accessTokenDurationMinutes: 5 })
      ).json();

      const full = await call(
        'GET',
        `/api/oidc/clients/${client.id}/preview/${userId}?scopes=openid+profile+email+groups`,
        admin,
      );
      assert.equal(full.statusCode, 200, full.body);
      const { idToken, accessToken, userInfo } = full.json();
      assert.equal(userInfo.sub, userId);
      assert.deepEqual(userInfo.groups, ['developers']);
      assert.equal(userInfo.team, 'user-team', 'the user claim wins over the group claim');
      assert.equal(userInfo.level, 3, 'a JSON value is released as JSON');
      assert.equal(userInfo.email, 'regular@example.com');
      assert.equal(userInfo.preferred_username, 'regular');
      assert.equal(idToken.iss, 'http://localhost:1411');
      assert.equal(idToken.aud, client.id);
      assert.equal(idToken.sub, userId);
      assert.deepEqual(idToken.groups, ['developers']);
      assert.equal(idToken.team, 'user-team');
      assert.equal(accessToken.client_id, client.id);
      assert.equal(accessToken.scope, 'openid profile email groups');
      assert.equal(accessToken.exp - accessToken.iat, 300);

      const narrow = await call(
        'GET',
        `/api/oidc/clients/${client.id}/preview/${userId}?scopes=openid%20email`,
        admin,
      );
      assert.equal(narrow.statusCode, 200);
      assert.equal(narrow.json().userInfo.email, 'regular@example.com');
      assert.equal(narrow.json().userInfo.groups, undefined);
      assert.equal(narrow.json().userInfo.team, undefined, 'custom claims need the profile scope');
      assert.equal(narrow.json().userInfo.preferred_username, undefined);

      const path = `/api/oidc/clients/${client.id}/preview/${userId}`;
      assert.equal((await call('GET', path, {})).statusCode, 401);
      const forbidden = await call('GET', path, user);
      assert.equal(forbidden.statusCode, 403);
      assert.equal(forbidden.json().code, 'admin_required');
      const unknownClient = await call(
        'GET',
        `/api/oidc/clients/nope-${randomUUID()}/preview/${userId}`,
        admin,
      );
      assert.equal(unknownClient.statusCode, 404);
      assert.equal(unknownClient.json().code, 'client_not_found');
      const unknownUser = await call('GET', `/api/oidc/clients/${client.id}/preview/${randomUUID()}`, admin);
      assert.equal(unknownUser.statusCode, 404);
      assert.equal(unknownUser.json().code, 'user_not_found');
    });
  },
);

describeEachEngine('admin OIDC clients with ALLOW_INSECURE_CALLBACK_URLS=false', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };
  before(async () => {
    testApp = await createTestApp({ db: engine, env: { ALLOW_INSECURE_CALLBACK_URLS: 'false' } });
    ({ admin } = await adminAndUser(testApp));
  });
  after(() => testApp.close());

  test('plain http callback URLs are refused except on loopback; nothing is created', async () => {
    const post = (payload: object) =>
      testApp.app.inject({ method: 'POST', url: '/api/oidc/clients', headers: admin, payload });
    const refused = await post({ name: 'Insecure', callbackURLs: ['http://app.example.com/cb'] });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().fields['callbackURLs.0'], /https/);
    const refusedBcl = await post({ name: 'Insecure', backChannelLogoutUrl: 'http://app.example.com/bcl' });
    assert.equal(refusedBcl.statusCode, 400);
    assert.ok(refusedBcl.json().fields.backChannelLogoutUrl);
    assert.equal((await testApp.db.selectFrom('oidc_clients').select('id').execute()).length, 0);

    const accepted = await post({
      name: 'Secure',
      callbackURLs: ['https://app.example.com/cb', 'http://localhost:3000/cb', 'http://127.0.0.1/cb'],
    });
    assert.equal(accepted.statusCode, 201, accepted.body);
  });
});
