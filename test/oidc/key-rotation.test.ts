import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import pino from 'pino';
import { createApplication } from '../../src/application.ts';
import { openDatabase } from '../../src/db/database.ts';
import { runKeyRotate } from '../../src/oidc/key-rotate-command.ts';
import { loadSigningKeys, retiredKeyGraceSeconds, rotateSigningKey } from '../../src/oidc/keys.ts';
import { createSignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import { authorize, createConfidentialClient, redirectUri, tokenRequest } from './flow-helpers.ts';

async function idTokenFrom(
  testApp: Pick<TestApp, 'app' | 'db' | 'services'>,
  clientId: string,
  basic: string,
  signedIn: Awaited<ReturnType<typeof createSignedInUser>>,
) {
  const { code } = await authorize(testApp as TestApp, signedIn, {
    client_id: clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
  });
  const response = await tokenRequest(
    testApp as TestApp,
    { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
    { authorization: basic },
  );
  assert.equal(response.statusCode, 200, response.body);
  return response.json().id_token as string;
}

for (const storage of ['file', 'database'] as const) {
  describeEachEngine(`latch key-rotate (KEYS_STORAGE=${storage})`, (engine) => {
    it('switches signing to ES256 and keeps the previous key in the JWKS', async () => {
      const testApp = await createTestApp({ db: engine, env: { KEYS_STORAGE: storage } });
      let restarted: Awaited<ReturnType<typeof createApplication>> | undefined;
      try {
        const client = await createConfidentialClient(testApp, { skipConsent: true });
        const signedIn = await createSignedInUser(testApp);
        const before = await idTokenFrom(testApp, client.id, client.basic, signedIn);
        assert.equal(decodeProtectedHeader(before).alg, 'RS256');

        assert.equal(await runKeyRotate(['--alg', 'ES256'], testApp.config), 0);
        restarted = await createApplication(testApp.config, {
          logger: pino({ level: 'silent' }),
          serveSpa: false,
          db: openDatabase(testApp.config.database),
        });
        await restarted.app.ready();
        const jwks = (await restarted.app.inject({ url: '/.well-known/jwks.json' })).json();
        assert.equal(jwks.keys.length, 2);
        assert.ok(
          jwks.keys.every((key: Record<string, unknown>) => key.d === undefined),
          'no private parts',
        );
        const keySet = createLocalJWKSet(jwks);
        await jwtVerify(before, keySet, { issuer: 'http://localhost:1411', audience: client.id });
        const discovery = (await restarted.app.inject({ url: '/.well-known/openid-configuration' })).json();
        assert.ok(discovery.id_token_signing_alg_values_supported.includes('ES256'));
        const after = await idTokenFrom(restarted, client.id, client.basic, signedIn);
        assert.equal(decodeProtectedHeader(after).alg, 'ES256');
        await jwtVerify(after, keySet, { issuer: 'http://localhost:1411', audience: client.id });
        assert.equal(await runKeyRotate(['--alg', 'HS256'], testApp.config), 2);
      } finally {
        await restarted?.close();
        await testApp.close();
      }
    });
  });
}

describeEachEngine('signing-key grace period', (engine) => {
  it('signing-key grace period: a retired public key stays in the JWKS as long as the longest access-token lifetime', async () => {
    const testApp = await createTestApp({ db: engine, env: { KEYS_STORAGE: 'database' } });
    try {
      const deps = { config: testApp.config, db: testApp.db, encryptionKey: testApp.encryptionKey };
      const day = 24 * 3600 * 1000;
      const rotatedAt = new Date();
      const initial = await loadSigningKeys({ ...deps, now: rotatedAt });
      const retiredKid = initial.keys[0].jwk.kid;
      await rotateSigningKey({ ...deps, alg: 'ES256', now: rotatedAt });
      assert.equal(retiredKeyGraceSeconds, 365 * 24 * 3600, 'a year: the longest access-token lifetime');

      const kids = async (daysLater: number) =>
        (await loadSigningKeys({ ...deps, now: new Date(rotatedAt.getTime() + daysLater * day) })).keys.map(
          (key) => key.jwk.kid,
        );
      assert.ok((await kids(8)).includes(retiredKid), 'kept past the old 7-day grace');
      assert.ok((await kids(364)).includes(retiredKid), 'kept while a 365-day access token may be alive');
      assert.ok(!(await kids(366)).includes(retiredKid), 'dropped once every token it signed expired');
    } finally {
      await testApp.close();
    }
  });
});
