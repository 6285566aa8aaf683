import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createUser, signInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  authorizeUrl,
  browserGet,
  CookieJar,
  createConfidentialClient,
  decodeJwtPayload,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

describeEachEngine('OIDC prompt=select_account', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(() => testApp.close());

  const start = async (jar: CookieJar, clientId: string) => {
    const response = await browserGet(
      testApp,
      jar,
      authorizeUrl({
        client_id: clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        prompt: 'select_account',
      }),
    );
    assert.equal(response.statusCode, 303, response.body);
    const location = new URL(String(response.headers.location), 'http://x');
    assert.equal(location.pathname, '/interaction');
    return location.searchParams.get('interaction') ?? '';
  };

  const finish = async (jar: CookieJar, id: string, clientBasic: string) => {
    const completed = await testApp.app.inject({
      method: 'POST',
      url: `/api/oidc/interactions/${id}/complete`,
      headers: { cookie: jar.header() },
      payload: { step: 'select_account' },
    });
    assert.equal(completed.statusCode, 200, completed.body);
    let resumed = await browserGet(testApp, jar, new URL(completed.json().redirectUrl).pathname);
    if (resumed.statusCode === 200) {
      // Another account than the engine session's: the engine ends its old session with a self-posting form.
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(resumed.body)?.[1] ?? '';
      const logout = await testApp.app.inject({
        method: 'POST',
        url: '/api/oidc/end-session/confirm',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
      });
      jar.store(logout.headers['set-cookie']);
      assert.ok([302, 303].includes(logout.statusCode), logout.body);
      resumed = await browserGet(
        testApp,
        jar,
        new URL(String(logout.headers.location), 'http://localhost:1411').pathname,
      );
    }
    const code = new URL(String(resumed.headers.location)).searchParams.get('code');
    assert.ok(code, `${resumed.statusCode} ${resumed.headers.location} ${resumed.body}`);
    const tokens = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      { authorization: clientBasic },
    );
    return decodeJwtPayload(tokens.json().id_token);
  };

  it('shows the signed-in account; continue signs in as it, another account switches the engine session', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const ada = await createUser(testApp, { firstName: 'Ada', lastName: 'Lovelace' });
    const adaBrowser = await signInUser(testApp, ada);
    const jar = new CookieJar(adaBrowser.cookie);
    await authorize(
      testApp,
      adaBrowser,
      { client_id: client.id, response_type: 'code', scope: 'openid', redirect_uri: redirectUri },
      jar,
    );

    const first = await start(jar, client.id);
    const described = await testApp.app.inject({
      url: `/api/oidc/interactions/${first}`,
      headers: { cookie: jar.header() },
    });
    assert.equal(described.json().currentStep, 'select_account');
    assert.equal(described.json().account.name, ada.displayName);
    assert.equal((await finish(jar, first, client.basic)).sub, ada.id);

    // "Use another account": the browser signs out of Latch and in as Bob, then continues the same request.
    const second = await start(jar, client.id);
    const bob = await createUser(testApp);
    const bobBrowser = await signInUser(testApp, bob);
    const sessionCookie = bobBrowser.cookie.split('=')[0];
    jar.cookies.set(sessionCookie, bobBrowser.cookie.slice(sessionCookie.length + 1));
    const asBob = await testApp.app.inject({
      url: `/api/oidc/interactions/${second}`,
      headers: { cookie: jar.header() },
    });
    assert.equal(asBob.json().account.id, bob.id);
    assert.equal((await finish(jar, second, client.basic)).sub, bob.id);
    const bobSessions = await testApp.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', bob.id)
      .execute();
    assert.equal(bobSessions.length, 1, "ending Ada's engine session kept Bob signed in to Latch");
  });

  it('without a session it asks for a sign-in first', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const jar = new CookieJar();
    const id = await start(jar, client.id);
    const described = await testApp.app.inject({ url: `/api/oidc/interactions/${id}` });
    assert.equal(described.json().currentStep, 'authenticate');
    assert.equal(described.json().account, null);
  });
});
