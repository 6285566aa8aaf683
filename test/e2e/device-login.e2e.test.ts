import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeImage, twoColourImage } from '../helpers/images.ts';
import { type BrowserSession, browserSkipReason, launchBrowser } from './helpers/browser.ts';
import { type RunningServer, startServer } from './helpers/server.ts';

describe('sign in with another device and profile pictures in Chromium', {
  skip: browserSkipReason(),
}, () => {
  let server: RunningServer;
  let session: BrowserSession;

  before(async () => {
    server = await startServer({ db: 'sqlite' });
    session = await launchBrowser();
    // The first admin, with a passkey in the virtual authenticator of the signed-in browser.
    const { page } = session;
    await page.goto(`${server.url}/setup`);
    await page.getByTestId('field-username').fill('admin');
    await page.getByTestId('field-first-name').fill('Ada');
    await page.getByTestId('field-last-name').fill('Lovelace');
    await page.getByTestId('field-email').fill('admin@example.com');
    await page.getByTestId('account-form-submit').click();
    await page.getByTestId('add-passkey').click();
    await page.waitForURL('**/settings/account');
  });
  after(async () => {
    await session?.close();
    await server?.close();
  });

  it('a new device shows a code; the signed-in browser approves it with a passkey; the new device is signed in', async () => {
    // A second browser context: no cookies, no passkey.
    const newDevice = await session.browser.newContext();
    try {
      const devicePage = await newDevice.newPage();
      devicePage.setDefaultTimeout(30_000);
      await devicePage.goto(`${server.url}/login`);
      await devicePage.getByTestId('use-other-device').click();
      await devicePage.getByTestId('qr-code').waitFor();
      const code = (await devicePage.getByTestId('device-login-code').textContent())?.trim() ?? '';
      assert.match(code, /^P[A-Z2-9]{7}$/);

      // The QR code's address: /device?code=… leads to the approval page.
      const { page } = session;
      await page.goto(`${server.url}/device?code=${code}`);
      await page.waitForURL(`**/login/device-approve?code=${code}`);
      await page.getByTestId('device-approve-agent').waitFor();
      assert.match((await page.getByTestId('device-approve-agent').textContent()) ?? '', /Chrome/);
      await page.getByTestId('device-approve').click();
      await page.getByTestId('device-approve-done').waitFor();

      await devicePage.waitForURL('**/settings/account');
      await devicePage.getByTestId('user-menu').waitFor();
      assert.match((await devicePage.getByTestId('user-menu').textContent()) ?? '', /Ada/);
      assert.deepEqual(session.errors(), []);
    } finally {
      await newDevice.close();
    }
  });

  it('uploads a profile picture on the account page and shows it', async () => {
    const { page } = session;
    await page.goto(`${server.url}/settings/account`);
    const avatar = page.getByTestId('profile-picture').locator('img');
    await avatar.waitFor();
    const png = await encodeImage(twoColourImage(600, 400, [200, 0, 0], [0, 0, 200]), 'png');
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    await page.waitForFunction(
      () => {
        // Runs in the page; the test's TypeScript has no DOM types.
        const page = globalThis as unknown as { document: { querySelector(selector: string): unknown } };
        const image = page.document.querySelector('[data-testid="profile-picture"] img') as {
          src: string;
          complete: boolean;
          naturalWidth: number;
        } | null;
        return image?.src.includes('?v=') === true && image.complete && image.naturalWidth === 300;
      },
      undefined,
      { timeout: 30_000 },
    );
    assert.equal(await page.getByTestId('picture-error').count(), 0);
  });
});
