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

  const params = (clientId: string) => ({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    prompt: 'select_account',
    state: 'pick',
  });

  /** Starts /authorize with prompt=select_account and returns the interaction id. */
  async function startSelection(jar: CookieJar, clientId: string): Promise<string> {
    const response = await browserGet(testApp, jar, authorizeUrl(params(clientId)));
    assert.equal(response.statusCode, 303, response.body);
    const location = new URL(String(response.headers.location), testApp.config.appUrl);
    assert.equal(location.pathname, '/interaction', `not refused: ${location}`);
    return location.searchParams.get('interaction') ?? '';
  }

  const complete = (jar: CookieJar, id: string, step: string) =>
    testApp.app.inject({
      method: 'POST',
      url: `/api/oidc/interactions/${id}/complete`,
      headers: { cookie: jar.header() },
      payload: { step },
    });

  async function followToCode(jar: CookieJar, redirectUrl: string): Promise<string> {
    let back = await browserGet(testApp, jar, new URL(redirectUrl).pathname);
    if (back.statusCode === 200 && back.body.includes('end-session/confirm')) {
      // Another account was chosen: the engine ends its old session by itself, then resumes.
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(back.body)?.[1] ?? '';
      const ended = await testApp.app.inject({
        method: 'POST',
        url: '/api/oidc/end-session/confirm',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
      });
      jar.store(ended.headers['set-cookie']);
      assert.equal(ended.statusCode, 303, ended.body);
      back = await browserGet(testApp, jar, new URL(String(ended.headers.location)).pathname);
    }
    const location = new URL(String(back.headers.location));
    assert.equal(location.origin + location.pathname, redirectUri, String(back.headers.location));
    assert.equal(location.searchParams.get('state'), 'pick');
    return location.searchParams.get('code') ?? '';
  }

  async function subjectOf(client: { basic: string }, code: string): Promise<unknown> {
    const tokens = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      { authorization: client.basic },
    );
    assert.equal(tokens.statusCode, 200, tokens.body);
    return decodeJwtPayload(tokens.json().id_token).sub;
  }

  it('prompt=select_account is advertised and accepted', async () => {
    const discovery = (await testApp.app.inject({ url: '/.well-known/openid-configuration' })).json();
    assert.ok(discovery.prompt_values_supported.includes('select_account'));
  });

  it('prompt=select_account with a session shows the select step; continuing returns a code', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const user = await createUser(testApp);
    const browser = await signInUser(testApp, user);
    const jar = new CookieJar(browser.cookie);
    // An earlier sign-in at the client, so the engine has a session and no login is needed.
    await authorize(testApp, browser, { ...params(client.id), prompt: undefined }, jar);

    const id = await startSelection(jar, client.id);
    const details = await testApp.app.inject({
      url: `/api/oidc/interactions/${id}`,
      headers: { cookie: jar.header() },
    });
    assert.equal(details.statusCode, 200, details.body);
    assert.equal(details.json().currentStep, 'select_account');
    assert.deepEqual(details.json().requiredSteps, ['select_account']);
    // Another step cannot skip the selection.
    const skipped = await complete(jar, id, 'consent');
    assert.equal(skipped.statusCode, 200, skipped.body);
    assert.equal(skipped.json().interaction.currentStep, 'select_account');

    const selected = await complete(jar, id, 'select_account');
    assert.equal(selected.statusCode, 200, selected.body);
    const code = await followToCode(jar, selected.json().redirectUrl);
    assert.equal(await subjectOf(client, code), user.id);
  });

  it('prompt=select_account: consent still follows the select step when the client needs it', async () => {
    const client = await createConfidentialClient(testApp);
    const user = await createUser(testApp);
    const jar = new CookieJar((await signInUser(testApp, user)).cookie);
    const id = await startSelection(jar, client.id);
    const selected = await complete(jar, id, 'select_account');
    assert.equal(selected.statusCode, 200, selected.body);
    assert.equal(selected.json().interaction.currentStep, 'consent');
    const consented = await complete(jar, id, 'consent');
    assert.equal(consented.statusCode, 200, consented.body);
    const code = await followToCode(jar, consented.json().redirectUrl);
    assert.equal(await subjectOf(client, code), user.id);
  });

  it('prompt=select_account: choosing another account signs the code in as that account', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const first = await createUser(testApp);
    const firstBrowser = await signInUser(testApp, first);
    const jar = new CookieJar(firstBrowser.cookie);
    await authorize(testApp, firstBrowser, { ...params(client.id), prompt: undefined }, jar);
    const id = await startSelection(jar, client.id);
    // "Use another account": the browser signs in as someone else and comes back to the request.
    const second = await createUser(testApp);
    const secondBrowser = await signInUser(testApp, second);
    const [name, value] = secondBrowser.cookie.split('=');
    jar.cookies.set(name, value);
    const selected = await complete(jar, id, 'select_account');
    assert.equal(selected.statusCode, 200, selected.body);
    const code = await followToCode(jar, selected.json().redirectUrl);
    assert.equal(await subjectOf(client, code), second.id);
    const sessions = await testApp.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', second.id)
      .execute();
    assert.equal(sessions.length, 1, "the chosen account's Latch session stays");
  });
});
