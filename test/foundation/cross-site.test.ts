import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { adminAndUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

describeEachEngine('cross-site request protection', (engine) => {
  let testApp: TestApp;
  let people: Awaited<ReturnType<typeof adminAndUser>>;
  before(async () => {
    testApp = await createTestApp({ db: engine });
    people = await adminAndUser(testApp);
  });
  after(() => testApp.close());

  const createLoginLink = (headers: Record<string, string>, payload?: string) =>
    testApp.app.inject({
      method: 'POST',
      url: `/api/users/${people.userId}/one-time-access-token`,
      headers: { cookie: people.admin.cookie, ...headers },
      payload,
    });
  const loginLinkCount = async () =>
    (await testApp.db.selectFrom('one_time_access_tokens').select('id').execute()).length;

  it('refuses state-changing API calls from another origin or a sibling site, and changes nothing', async () => {
    const attempts: Record<string, string>[] = [
      { origin: 'https://evil.example', 'content-type': 'application/json' },
      { origin: 'http://localhost:1411.evil.example', 'content-type': 'application/json' },
      { origin: 'null', 'content-type': 'application/json' },
      { 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
      { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
    ];
    for (const headers of attempts) {
      const response = await createLoginLink(headers, '{}');
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      assert.equal(response.json().code, 'cross_site_request');
    }
    const form = await createLoginLink(
      { origin: 'https://evil.example', 'content-type': 'multipart/form-data; boundary=x' },
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n',
    );
    assert.equal(form.statusCode, 403);
    assert.equal(await loginLinkCount(), 0);
  });

  it('accepts the same call from Latch itself and from scripts without an Origin', async () => {
    const sameOrigin = await createLoginLink(
      {
        origin: 'http://localhost:1411',
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      },
      '{}',
    );
    assert.equal(sameOrigin.statusCode, 201, sameOrigin.body);
    const script = await createLoginLink({ 'content-type': 'application/json' }, '{}');
    assert.equal(script.statusCode, 201, script.body);
    assert.equal(await loginLinkCount(), 2);
  });

  it('refuses text/plain bodies, which forms on other sites can send without a preflight', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/signup/setup',
      headers: { 'content-type': 'text/plain' },
      payload: '{"username":"mallory"}',
    });
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().code, 'unsupported_media_type');
  });

  it('leaves protocol endpoints that relying parties call from elsewhere to the protocol rules', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/oidc/token',
      headers: { origin: 'https://rp.example', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials&client_id=nope',
    });
    assert.notEqual(response.statusCode, 403);
    assert.equal(typeof response.json().error, 'string', 'an OAuth error, not the cross-site refusal');
  });
});
