import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createUser, signInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  authorize,
  browserGet,
  CookieJar,
  createConfidentialClient,
  decodeJwtPayload,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

const issuer = 'http://localhost:1411';

describeEachEngine('OIDC back-channel logout', (engine) => {
  let testApp: TestApp;
  let receiver: Server;
  let receiverUrl: string;
  const received: { contentType: string; body: string }[] = [];
  before(async () => {
    testApp = await createTestApp({ db: engine });
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ contentType: String(request.headers['content-type']), body });
        response.statusCode = 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/backchannel`;
  });
  after(async () => {
    receiver.close();
    await testApp.close();
  });

  it('sends a signed logout token (iss, aud, events, sid, sub) to the registered URL on RP-initiated logout', async () => {
    const client = await createConfidentialClient(testApp, {
      skipConsent: true,
      backChannelLogoutUrl: receiverUrl,
    });
    const user = await createUser(testApp);
    const browser = await signInUser(testApp, user);
    const jar = new CookieJar(browser.cookie);
    const { code } = await authorize(
      testApp,
      browser,
      { client_id: client.id, response_type: 'code', scope: 'openid', redirect_uri: redirectUri },
      jar,
    );
    const tokens = (
      await tokenRequest(
        testApp,
        { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
        { authorization: client.basic },
      )
    ).json();
    const { sid } = decodeJwtPayload(tokens.id_token);
    assert.ok(sid, 'the ID token carries the session id');
    const discovery = (await testApp.app.inject({ url: '/.well-known/openid-configuration' })).json();
    assert.equal(discovery.backchannel_logout_supported, true);

    const page = await browserGet(
      testApp,
      jar,
      `/api/oidc/end-session?${new URLSearchParams({ id_token_hint: tokens.id_token })}`,
    );
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const confirm = await testApp.app.inject({
      method: 'POST',
      url: '/api/oidc/end-session/confirm',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    assert.ok([302, 303].includes(confirm.statusCode), confirm.body);

    for (let wait = 0; wait < 50 && received.length === 0; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(received.length, 1, 'one logout token was delivered');
    assert.match(received[0].contentType, /^application\/x-www-form-urlencoded/);
    const logoutToken = new URLSearchParams(received[0].body).get('logout_token') ?? '';
    const jwks = (await testApp.app.inject({ url: '/.well-known/jwks.json' })).json();
    const { payload, protectedHeader } = await jwtVerify(logoutToken, createLocalJWKSet(jwks), {
      issuer,
      audience: client.id,
    });
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
    assert.equal(payload.sid, sid);
    assert.equal(payload.sub, user.id);
    assert.equal(payload.nonce, undefined, 'a logout token never carries a nonce');
    assert.ok(payload.jti && payload.iat);
  });
});
