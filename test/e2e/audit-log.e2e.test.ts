import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserSkipReason, launchBrowser } from './helpers/browser.ts';
import { type RunningServer, startServer } from './helpers/server.ts';

describe('audit log in Chromium', { skip: browserSkipReason() }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ db: 'sqlite' });
  });
  after(async () => {
    await server?.close();
  });

  it('the first admin sees their own events and the global log', async () => {
    const session = await launchBrowser();
    try {
      const { page } = session;
      await page.goto(`${server.url}/setup`);
      await page.getByTestId('field-username').fill('admin');
      await page.getByTestId('field-first-name').fill('Ada');
      await page.getByTestId('field-email').fill('ada@example.com');
      await page.getByTestId('account-form-submit').click();
      await page.getByTestId('add-passkey').click();
      await page.waitForURL('**/settings/account');

      await page.getByRole('link', { name: 'Audit log', exact: true }).click();
      await page.getByTestId('audit-log-row').first().waitFor();
      const events = await page.getByTestId('audit-log-row').allTextContents();
      assert.ok(
        events.some((row) => row.includes('Passkey added')),
        events.join('\n'),
      );
      assert.ok(
        events.some((row) => row.includes('Account created')),
        events.join('\n'),
      );

      await page.getByRole('link', { name: 'Global audit log' }).click();
      await page.waitForURL('**/settings/audit-log/global');
      await page.getByRole('columnheader', { name: 'User' }).waitFor();
      await page.getByTestId('audit-log-row').first().waitFor();
      assert.match(String(await page.getByTestId('audit-log-row').first().textContent()), /admin/);
      assert.deepEqual(session.errors(), []);
    } finally {
      await session.close();
    }
  });
});
