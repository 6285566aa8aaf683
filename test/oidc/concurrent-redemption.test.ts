import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createSignedInUser, type SignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import { authorize, createConfidentialClient, formPost, redirectUri, tokenRequest } from './flow-helpers.ts';

describeEachEngine('OIDC concurrent redemption of one code or refresh token', (engine) => {
  let testApp: TestApp;
  let signedIn: SignedInUser;
  before(async () => {
    testApp = await createTestApp({ db: engine });
    signedIn = await createSignedInUser(testApp);
  });
  after(() => testApp.close());

  async function freshCode(clientId: string): Promise<string> {
    const { code } = await authorize(testApp, signedIn, {
      client_id: clientId,
      response_type: 'code',
      scope: 'openid offline_access',
      redirect_uri: redirectUri,
    });
    assert.ok(code);
    return code;
  }

  it('concurrent redemption: 8 parallel exchanges of one authorization code give exactly one token response', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    for (let round = 0; round < 3; round += 1) {
      const code = await freshCode(client.id);
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          tokenRequest(
            testApp,
            { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
            { authorization: client.basic },
          ),
        ),
      );
      const statuses = responses.map((response) => response.statusCode);
      assert.equal(statuses.filter((status) => status === 200).length, 1, `round ${round}: ${statuses}`);
      for (const response of responses.filter((r) => r.statusCode !== 200)) {
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(response.json().error, 'invalid_grant');
      }
    }
  });

  it('concurrent redemption: 8 parallel refreshes with one token give at most one response and revoke the family', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    for (let round = 0; round < 3; round += 1) {
      const first = await tokenRequest(
        testApp,
        { grant_type: 'authorization_code', code: await freshCode(client.id), redirect_uri: redirectUri },
        { authorization: client.basic },
      );
      assert.equal(first.statusCode, 200, first.body);
      const { refresh_token: refreshToken, access_token: accessToken } = first.json();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          tokenRequest(
            testApp,
            { grant_type: 'refresh_token', refresh_token: refreshToken },
            { authorization: client.basic },
          ),
        ),
      );
      const statuses = responses.map((response) => response.statusCode);
      assert.ok(statuses.filter((status) => status === 200).length <= 1, `round ${round}: ${statuses}`);
      for (const response of responses.filter((r) => r.statusCode !== 200)) {
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(response.json().error, 'invalid_grant');
      }
      // The whole family is gone: the presented token, whatever the winner got, and the first access token.
      const winners = responses.filter((r) => r.statusCode === 200).map((r) => r.json());
      for (const token of [refreshToken, ...winners.map((w) => w.refresh_token)]) {
        const retry = await tokenRequest(
          testApp,
          { grant_type: 'refresh_token', refresh_token: token },
          { authorization: client.basic },
        );
        assert.equal(retry.statusCode, 400, retry.body);
        const introspected = await formPost(
          testApp,
          '/api/oidc/introspect',
          { token },
          {
            authorization: client.basic,
          },
        );
        assert.equal(introspected.json().active, false);
      }
      for (const token of [accessToken, ...winners.map((w) => w.access_token)]) {
        const introspected = await formPost(
          testApp,
          '/api/oidc/introspect',
          { token },
          {
            authorization: client.basic,
          },
        );
        assert.equal(introspected.json().active, false, 'access tokens of the family are revoked');
      }
    }
  });
});
