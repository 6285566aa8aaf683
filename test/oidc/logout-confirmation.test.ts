import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createUser, signInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  browserGet,
  CookieJar,
  createConfidentialClient,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

const autoSubmits = (body: string) => /name="logout" value="yes"/.test(body) && /submit\(\)/.test(body);
const xsrfOf = (body: string) => /name="xsrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

describeEachEngine('OIDC RP-initiated logout asks before signing anyone out', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(() => testApp.close());

  /** A user signed in to Latch who completed an authorization at the client, with the browser's jar. */
  async function signedInBrowser(client: { id: string }) {
    const user = await createUser(testApp);
    const browser = await signInUser(testApp, user);
    const jar = new CookieJar(browser.cookie);
    const { code } = await authorize(
      testApp,
      browser,
      { client_id: client.id, response_type: 'code', scope: 'openid', redirect_uri: redirectUri },
      jar,
    );
    return { user, browser, jar, code: code ?? '' };
  }

  async function idTokenFor(client: { id: string; basic: string }, code: string): Promise<string> {
    const response = await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      { authorization: client.basic },
    );
    assert.equal(response.statusCode, 200, response.body);
    return response.json().id_token;
  }

  const sessionCount = async (userId: string) =>
    (await testApp.db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length;

  async function confirm(jar: CookieJar, xsrf: string, logout: boolean) {
    const form = new URLSearchParams({ xsrf, ...(logout ? { logout: 'yes' } : {}) });
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/oidc/end-session/confirm',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    jar.store(response.headers['set-cookie']);
    return response;
  }

  it("forced logout: another user's id_token_hint gets the confirmation page and the victim stays signed in", async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const attacker = await signedInBrowser(client);
    const attackerIdToken = await idTokenFor(client, attacker.code);
    const victim = await signedInBrowser(client);

    const page = await browserGet(
      testApp,
      victim.jar,
      `/api/oidc/end-session?${new URLSearchParams({ id_token_hint: attackerIdToken })}`,
    );
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(autoSubmits(page.body), false, 'the page does not submit itself');
    assert.match(page.body, /Sign out\?/);
    assert.equal(await sessionCount(victim.user.id), 1, 'the victim is still signed in');
    // Declining keeps the session too.
    const declined = await confirm(victim.jar, xsrfOf(page.body), false);
    assert.equal(declined.statusCode, 303, declined.body);
    assert.equal(await sessionCount(victim.user.id), 1);
  });

  it('forced logout: a bare end-session link with a Latch session but no engine session asks first', async () => {
    const user = await createUser(testApp);
    const browser = await signInUser(testApp, user);
    const jar = new CookieJar(browser.cookie);
    const page = await browserGet(testApp, jar, '/api/oidc/end-session');
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(autoSubmits(page.body), false, 'no self-submitting logout=yes form');
    assert.doesNotMatch(page.body, /name="logout" value="yes"\/>/);
    assert.match(page.body, /Sign out\?/);
    assert.equal(await sessionCount(user.id), 1, 'the Latch session is kept');

    // Clicking "Sign out" is an explicit confirmation: the Latch session ends and its cookie is cleared.
    const confirmed = await confirm(jar, xsrfOf(page.body), true);
    assert.equal(confirmed.statusCode, 303, confirmed.body);
    assert.equal(await sessionCount(user.id), 0, 'the confirmed logout ends the Latch session');
    const cookies = [confirmed.headers['set-cookie'] ?? []].flat().join('\n');
    assert.match(cookies, new RegExp(`${testApp.services.sessions.cookies.session}=;`));
  });

  it('forced logout: a confirmation POST without a valid xsrf ends nothing', async () => {
    const user = await createUser(testApp);
    const browser = await signInUser(testApp, user);
    const jar = new CookieJar(browser.cookie);
    await browserGet(testApp, jar, '/api/oidc/end-session');
    const forged = await confirm(jar, 'forged', true);
    assert.equal(forged.statusCode, 400, forged.body);
    assert.equal(await sessionCount(user.id), 1);
  });

  it('a matching id_token_hint still signs out by itself and returns to the registered logout URL with state', async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const { user, jar, code } = await signedInBrowser(client);
    const idToken = await idTokenFor(client, code);
    const page = await browserGet(
      testApp,
      jar,
      `/api/oidc/end-session?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://rp.example.com/logged-out', state: 'bye' })}`,
    );
    assert.equal(page.statusCode, 200, page.body);
    assert.ok(autoSubmits(page.body), 'the page submits logout=yes by itself');
    const done = await confirm(jar, xsrfOf(page.body), true);
    assert.equal(done.statusCode, 303, done.body);
    assert.equal(done.headers.location, 'https://rp.example.com/logged-out?state=bye');
    assert.equal(await sessionCount(user.id), 0, 'the Latch session ended');
  });

  it('a matching id_token_hint for a client the user never authorized asks first', async () => {
    const client = await createConfidentialClient(testApp);
    const { user, jar, code } = await signedInBrowser(client);
    const idToken = await idTokenFor(client, code);
    await testApp.db.deleteFrom('user_authorized_oidc_clients').where('user_id', '=', user.id).execute();
    const page = await browserGet(
      testApp,
      jar,
      `/api/oidc/end-session?${new URLSearchParams({ id_token_hint: idToken })}`,
    );
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(autoSubmits(page.body), false);
    assert.equal(await sessionCount(user.id), 1);
  });
});

describeEachEngine('OIDC switching accounts during an authorization', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(() => testApp.close());

  it("switching accounts: the engine's own sign-out of the old account keeps the new user's Latch session and interaction", async () => {
    const client = await createConfidentialClient(testApp, { skipConsent: true });
    const params = {
      client_id: client.id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
    };
    const first = await createUser(testApp);
    const firstBrowser = await signInUser(testApp, first);
    const jar = new CookieJar(firstBrowser.cookie);
    await authorize(testApp, firstBrowser, params, jar);
    // The browser signs in to Latch as someone else and starts another authorization.
    const second = await createUser(testApp);
    const [name, value] = (await signInUser(testApp, second)).cookie.split('=');
    jar.cookies.set(name, value);
    const start = await browserGet(testApp, jar, `/authorize?${new URLSearchParams(params)}`);
    const interaction = new URL(String(start.headers.location), testApp.config.appUrl);
    assert.equal(interaction.pathname, '/interaction');
    const complete = await testApp.app.inject({
      method: 'POST',
      url: `/api/oidc/interactions/${interaction.searchParams.get('interaction')}/complete`,
      headers: { cookie: jar.header() },
      payload: { step: 'authenticate' },
    });
    assert.equal(complete.statusCode, 200, complete.body);
    // The engine ends the first account's engine session through a self-submitting form, then resumes.
    const resume = await browserGet(testApp, jar, new URL(complete.json().redirectUrl).pathname);
    assert.match(resume.body, /end-session\/confirm/);
    const ended = await testApp.app.inject({
      method: 'POST',
      url: '/api/oidc/end-session/confirm',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ xsrf: xsrfOf(resume.body), logout: 'yes' }).toString(),
    });
    jar.store(ended.headers['set-cookie']);
    assert.equal(ended.statusCode, 303, ended.body);
    const back = await browserGet(testApp, jar, new URL(String(ended.headers.location)).pathname);
    assert.equal(back.statusCode, 303, back.body);
    const code = new URL(String(back.headers.location)).searchParams.get('code');
    assert.ok(code, String(back.headers.location));
    assert.equal(await sessionCountOf(testApp, second.id), 1, "the new user's Latch session stays");
  });
});

async function sessionCountOf(testApp: TestApp, userId: string): Promise<number> {
  return (await testApp.db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute())
    .length;
}
