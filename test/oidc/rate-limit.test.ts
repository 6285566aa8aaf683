import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { codeExchangeLimitPerMinute } from '../../src/oidc/routes.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import { createConfidentialClient, redirectUri, tokenRequest } from './flow-helpers.ts';

describeEachEngine('OIDC token endpoint rate limit', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine, env: { DISABLE_RATE_LIMITING: 'false' } });
  });
  after(() => testApp.close());

  it('limits code exchanges per client IP with 429; client credentials are not counted', async () => {
    const client = await createConfidentialClient(testApp);
    const exchange = () =>
      tokenRequest(
        testApp,
        { grant_type: 'authorization_code', code: 'guessed-code', redirect_uri: redirectUri },
        { authorization: client.basic },
      );
    for (let attempt = 0; attempt < codeExchangeLimitPerMinute; attempt += 1) {
      const response = await exchange();
      assert.equal(response.statusCode, 400, response.body);
    }
    const limited = await exchange();
    assert.equal(limited.statusCode, 429, limited.body);
    assert.equal(limited.json().code, 'rate_limited');
    const other = await testApp.app.inject({
      method: 'POST',
      url: '/api/oidc/token',
      remoteAddress: '10.9.8.7',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: client.basic },
      payload: `grant_type=authorization_code&code=x&redirect_uri=${encodeURIComponent(redirectUri)}`,
    });
    assert.equal(other.statusCode, 400, 'another IP has its own counter');
    const credentials = await tokenRequest(
      testApp,
      { grant_type: 'client_credentials' },
      { authorization: client.basic },
    );
    assert.equal(credentials.statusCode, 200, credentials.body);
    const tokens = await testApp.db
      .selectFrom('oidc_payloads')
      .select('kind')
      .where('kind', 'in', ['AccessToken', 'RefreshToken'])
      .execute();
    assert.equal(tokens.length, 0, 'no code exchange issued anything');
  });
});
