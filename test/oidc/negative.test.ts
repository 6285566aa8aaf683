import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createSignedInUser, type SignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  authorizeUrl,
  browserGet,
  CookieJar,
  createConfidentialClient,
  createPublicClient,
  pkcePair,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

async function countPayloads(testApp: TestApp, kind: string): Promise<number> {
  const row = await testApp.db
    .selectFrom('oidc_payloads')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('kind', '=', kind)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describeEachEngine('OIDC negative cases (RFC 9700)', (engine) => {
  let testApp: TestApp;
  let signedIn: SignedInUser;
  let client: Awaited<ReturnType<typeof createConfidentialClient>>;
  before(async () => {
    testApp = await createTestApp({ db: engine });
    signedIn = await createSignedInUser(testApp);
    client = await createConfidentialClient(testApp);
  });
  after(() => testApp.close());

  const codeFor = async (extra: Record<string, string | undefined> = {}, clientId = client.id) => {
    const { code, location } = await authorize(testApp, signedIn, {
      client_id: clientId,
      response_type: 'code',
      scope: 'openid profile',
      redirect_uri: redirectUri,
      ...extra,
    });
    return { code, location };
  };

  it('a replayed authorization code is refused and revokes the tokens it produced', async () => {
    const { code } = await codeFor();
    const first = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: client.basic },
    );
    assert.equal(first.statusCode, 200, first.body);
    const { access_token: accessToken, refresh_token: refreshToken } = first.json();
    const replay = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: client.basic },
    );
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().error, 'invalid_grant');
    const userinfo = await testApp.app.inject({
      url: '/api/oidc/userinfo',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    assert.equal(userinfo.statusCode, 401, 'the access token of the replayed code is revoked');
    const refresh = await tokenRequest(
      testApp,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { authorization: client.basic },
    );
    assert.equal(refresh.statusCode, 400, 'the refresh token of the replayed code is revoked');
  });

  it('a code issued to client A is refused at client B', async () => {
    const other = await createConfidentialClient(testApp, { name: 'Other RP' });
    const { code } = await codeFor();
    const stolen = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: other.basic },
    );
    assert.equal(stolen.statusCode, 400);
    assert.equal(stolen.json().error, 'invalid_grant');
  });

  it('PKCE: missing, plain and wrong verifiers, and a verifier without a challenge are refused', async () => {
    const spa = await createPublicClient(testApp);
    const missing = await browserGet(
      testApp,
      new CookieJar(signedIn.cookie),
      authorizeUrl({ client_id: spa.id, response_type: 'code', scope: 'openid', redirect_uri: redirectUri }),
    );
    const missingLocation = new URL(String(missing.headers.location));
    assert.equal(missingLocation.searchParams.get('error'), 'invalid_request');
    assert.match(missingLocation.searchParams.get('error_description') ?? '', /PKCE/);
    assert.equal(missingLocation.searchParams.get('iss'), 'http://localhost:1411', 'iss on error responses');

    const { challenge, verifier } = pkcePair();
    const plain = await browserGet(
      testApp,
      new CookieJar(signedIn.cookie),
      authorizeUrl({
        client_id: spa.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: 'plain',
      }),
    );
    assert.equal(new URL(String(plain.headers.location)).searchParams.get('error'), 'invalid_request');

    const { code } = await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' }, spa.id);
    const wrong = await tokenRequest(testApp, {
      grant_type: 'authorization_code',
      client_id: spa.id,
      code: code ?? '',
      redirect_uri: redirectUri,
      code_verifier: pkcePair().verifier,
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error, 'invalid_grant');
    const none = await tokenRequest(testApp, {
      grant_type: 'authorization_code',
      client_id: spa.id,
      code: code ?? '',
      redirect_uri: redirectUri,
    });
    assert.equal(none.statusCode, 400);
    assert.ok(verifier);

    const { code: withoutChallenge } = await codeFor();
    const downgrade = await tokenRequest(
      testApp,
      {
        grant_type: 'authorization_code',
        code: withoutChallenge ?? '',
        redirect_uri: redirectUri,
        code_verifier: verifier,
      },
      { authorization: client.basic },
    );
    assert.equal(downgrade.statusCode, 400, 'a verifier without a challenge is refused');
    assert.equal(downgrade.json().error, 'invalid_grant');
  });

  it('redirect URI variants never match and are never redirected to', async () => {
    const variants = [
      `${redirectUri}/`,
      `${redirectUri}?extra=1`,
      'https://evil@rp.example.com/callback',
      'http://rp.example.com/callback',
      'https://rp.example.com:8443/callback',
      'https://RP.example.com/callback/../callback',
      'https://evil.example.com/callback',
    ];
    for (const variant of variants) {
      const response = await browserGet(
        testApp,
        new CookieJar(signedIn.cookie),
        authorizeUrl({ client_id: client.id, response_type: 'code', scope: 'openid', redirect_uri: variant }),
      );
      assert.equal(response.statusCode, 400, `${variant} must be refused without a redirect`);
      assert.equal(response.headers.location, undefined);
      assert.match(response.body, /redirect_uri/);
    }
  });

  it('an unknown client is never redirected to', async () => {
    const response = await browserGet(
      testApp,
      new CookieJar(signedIn.cookie),
      authorizeUrl({
        client_id: 'no-such-client',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'https://attacker.example.com/cb',
      }),
    );
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers.location, undefined);
  });

  it('response_type=token and grant_type=password are refused', async () => {
    const implicit = await browserGet(
      testApp,
      new CookieJar(signedIn.cookie),
      authorizeUrl({
        client_id: client.id,
        response_type: 'token',
        scope: 'openid',
        redirect_uri: redirectUri,
      }),
    );
    const location = new URL(String(implicit.headers.location));
    const error =
      location.searchParams.get('error') ?? new URLSearchParams(location.hash.slice(1)).get('error');
    assert.equal(error, 'unsupported_response_type');
    const password = await tokenRequest(
      testApp,
      { grant_type: 'password', username: 'a', password: 'b' },
      { authorization: client.basic },
    );
    assert.equal(password.statusCode, 400);
    assert.equal(password.json().error, 'unsupported_grant_type');
  });

  it('a wrong client secret is refused and issues nothing', async () => {
    const before = await countPayloads(testApp, 'AccessToken');
    const { code } = await codeFor();
    const wrong = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: `Basic ${Buffer.from(`${client.id}:wrong-secret`).toString('base64')}` },
    );
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error, 'invalid_client');
    assert.equal(await countPayloads(testApp, 'AccessToken'), before);
  });

  it('interaction pages and engine pages cannot be framed', async () => {
    const response = await browserGet(
      testApp,
      new CookieJar(),
      authorizeUrl({
        client_id: client.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
      }),
    );
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
    for (const url of ['/api/oidc/end-session', '/device']) {
      const page = await testApp.app.inject({ url });
      assert.equal(page.headers['x-frame-options'], 'DENY', url);
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/, url);
    }
  });
});
