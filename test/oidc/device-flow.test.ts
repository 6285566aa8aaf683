import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createSignedInUser, type SignedInUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';
import {
  approveDeviceCode,
  authorize,
  CookieJar,
  createConfidentialClient,
  formPost,
  redirectUri,
  tokenRequest,
} from './flow-helpers.ts';

type Client = Awaited<ReturnType<typeof createConfidentialClient>>;

describeEachEngine('OIDC device flow approvals are audited', (engine) => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ db: engine });
  });
  after(() => testApp.close());

  /** Starts a device authorization, approves it in the signed-in browser and redeems the device code. */
  async function approveDevice(client: Client, jar: CookieJar): Promise<void> {
    const start = await formPost(
      testApp,
      '/api/oidc/device/authorize',
      { scope: 'openid profile' },
      { authorization: client.basic },
    );
    assert.equal(start.statusCode, 200, start.body);
    const device = start.json();
    const response = await approveDeviceCode(testApp, jar, device.user_code);
    assert.equal(response.statusCode, 200, response.body);
    assert.match(response.body, /Your device is now signed in/);
    const token = await tokenRequest(
      testApp,
      { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code },
      { authorization: client.basic },
    );
    assert.equal(token.statusCode, 200, token.body);
  }

  /** The user's authorization audit events, once the asynchronous writes landed. */
  async function eventsOf(userId: string, count: number): Promise<{ event: string; clientName: unknown }[]> {
    for (let attempt = 0; ; attempt += 1) {
      const rows = await testApp.db
        .selectFrom('audit_logs')
        .select(['event', 'data', 'created_at'])
        .where('user_id', '=', userId)
        .where('event', 'like', '%AUTHORIZATION')
        .orderBy('created_at')
        .execute();
      if (rows.length >= count || attempt > 50) {
        return rows.map((row) => ({
          event: row.event,
          clientName: (typeof row.data === 'string' ? JSON.parse(row.data) : row.data)?.clientName,
        }));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('device flow audit: approvals at a skip-consent client write NEW_DEVICE_CODE_AUTHORIZATION, then DEVICE_CODE_AUTHORIZATION', async () => {
    const signedIn: SignedInUser = await createSignedInUser(testApp);
    const client = await createConfidentialClient(testApp, { skipConsent: true, name: 'TV app' });
    const jar = new CookieJar(signedIn.cookie);
    await approveDevice(client, jar);
    await approveDevice(client, jar);
    assert.deepEqual(await eventsOf(signedIn.user.id, 2), [
      { event: 'NEW_DEVICE_CODE_AUTHORIZATION', clientName: 'TV app' },
      { event: 'DEVICE_CODE_AUTHORIZATION', clientName: 'TV app' },
    ]);
  });

  it('device flow audit: an approval with consent remembered from the browser writes DEVICE_CODE_AUTHORIZATION', async () => {
    const signedIn: SignedInUser = await createSignedInUser(testApp);
    const client = await createConfidentialClient(testApp, { name: 'Console' });
    const jar = new CookieJar(signedIn.cookie);
    await authorize(
      testApp,
      signedIn,
      { client_id: client.id, response_type: 'code', scope: 'openid profile', redirect_uri: redirectUri },
      jar,
    );
    await approveDevice(client, jar);
    assert.deepEqual(await eventsOf(signedIn.user.id, 2), [
      { event: 'NEW_CLIENT_AUTHORIZATION', clientName: 'Console' },
      { event: 'DEVICE_CODE_AUTHORIZATION', clientName: 'Console' },
    ]);
  });
});
