import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserSession, browserSkipReason, launchBrowser } from './helpers/browser.ts';
import { type RunningServer, startServer } from './helpers/server.ts';

async function fillAccountForm(page: Page, fields: { username: string; firstName: string; email: string }) {
  await page.getByTestId('field-username').fill(fields.username);
  await page.getByTestId('field-first-name').fill(fields.firstName);
  await page.getByTestId('field-last-name').fill('Tester');
  await page.getByTestId('field-email').fill(fields.email);
  await page.getByTestId('account-form-submit').click();
}

describe('passkey accounts in Chromium with a virtual authenticator', { skip: browserSkipReason() }, () => {
  let server: RunningServer;
  let adminSession: BrowserSession;
  let adminCookie = '';

  /** Calls the REST API as the admin, with the session cookie the browser holds. */
  async function asAdmin(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { cookie: adminCookie, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return response.json();
  }

  before(async () => {
    server = await startServer({ db: 'sqlite' });
    adminSession = await launchBrowser();
  });
  after(async () => {
    await adminSession?.close();
    await server?.close();
  });

  it('setup → sign out → sign in → add, rename a passkey → delete the first with reauthentication → sign in with the second', async () => {
    const { page, authenticator } = adminSession;
    await page.goto(`${server.url}/setup`);
    await fillAccountForm(page, { username: 'admin', firstName: 'Ada', email: 'admin@example.com' });
    await page.getByTestId('add-passkey-step').waitFor();
    await page.getByTestId('add-passkey').click();
    await page.waitForURL('**/settings/account');
    await page.getByTestId('passkey-row').first().waitFor();
    const [first] = await authenticator.credentials();
    assert.ok(first, 'the virtual authenticator holds the new passkey');

    // Signed in: /login sends me to my account.
    await page.goto(`${server.url}/login`);
    await page.waitForURL('**/settings/account');

    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-page').waitFor();
    // Signed out: settings send me to the login page, remembering where I was going.
    await page.goto(`${server.url}/settings/account`);
    await page.waitForURL(/\/login\?redirect=%2Fsettings%2Faccount/);

    await page.getByTestId('passkey-sign-in').click();
    await page.waitForURL('**/settings/account');

    // Passkey autofill (conditional mediation) signs in from the username field too.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-username').focus();
    await page.waitForURL('**/settings/account');

    // A second passkey, from a fresh authenticator (the first credential would be excluded).
    await authenticator.removeAll();
    await page.getByTestId('add-passkey').click();
    await page.getByTestId('passkey-row').nth(1).waitFor();
    const [second] = await authenticator.credentials();
    assert.notEqual(second.credentialId, first.credentialId);

    const secondRow = page.getByTestId('passkey-row').nth(1);
    await secondRow.getByTestId('passkey-rename').click();
    await page.getByTestId('passkey-name-input').fill('Work laptop');
    await page.getByTestId('passkey-rename-confirm').click();
    await page.getByText('Work laptop').waitFor();

    // Deleting asks the authenticator for a fresh assertion (with the second passkey) first.
    await page.getByTestId('passkey-row').first().getByTestId('passkey-delete').click();
    await page.getByTestId('passkey-delete-confirm').click();
    await page.getByTestId('passkey-row').nth(1).waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('passkey-name').first().textContent(), 'Work laptop');

    adminCookie = (await adminSession.context.cookies())
      .filter((cookie) => cookie.name === 'access_token')
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');

    // The deleted passkey is refused with a clear message; the second one signs in.
    const other = await adminSession.browser.newContext();
    const otherPage = await other.newPage();
    const { addVirtualAuthenticator } = await import('./helpers/browser.ts');
    const otherAuthenticator = await addVirtualAuthenticator(otherPage);
    await otherAuthenticator.addCredential(first);
    await otherPage.goto(`${server.url}/login`);
    await otherPage.getByTestId('passkey-sign-in').click();
    await otherPage.getByTestId('sign-in-error').waitFor();
    assert.match(String(await otherPage.getByTestId('sign-in-error').textContent()), /not registered/);
    await otherAuthenticator.removeAll();
    // Exported now, with the signature counter the reauthentication moved on (an older copy looks cloned).
    const [secondNow] = await authenticator.credentials();
    assert.equal(secondNow.credentialId, second.credentialId);
    await otherAuthenticator.addCredential(secondNow);
    await otherPage.getByTestId('passkey-sign-in').click();
    await otherPage.waitForURL('**/settings/account');
    await otherPage.getByTestId('passkey-row').first().waitFor();
    await other.close();
    assert.deepEqual(adminSession.errors(), []);
  });

  it('a one-time link signs in a user without a passkey and lets them add one', async () => {
    const user = await asAdmin('POST', '/api/users', {
      username: 'linkuser',
      email: 'linkuser@example.com',
      firstName: 'Link',
    });
    const { token } = await asAdmin('POST', `/api/users/${user.id}/one-time-access-token`, { ttl: '15m' });
    const session = await launchBrowser();
    try {
      await session.page.goto(`${server.url}/lc/${token}`);
      await session.page.getByTestId('add-passkey-step').waitFor();
      await session.page.getByTestId('add-passkey').click();
      await session.page.waitForURL('**/settings/account');
      await session.page.getByTestId('passkey-row').first().waitFor();
      assert.equal((await session.authenticator.credentials()).length, 1);
      // The link worked once only.
      const again = await launchBrowser();
      try {
        await again.page.goto(`${server.url}/lc/${token}`);
        await again.page.getByTestId('login-code-error').waitFor();
      } finally {
        await again.close();
      }
    } finally {
      await session.close();
    }
  });

  it('a signup token with usage limit 1 works once, then refuses', async () => {
    const { token } = await asAdmin('POST', '/api/signup-tokens', { ttl: '1h', usageLimit: 1 });
    const first = await launchBrowser();
    try {
      await first.page.goto(`${server.url}/st/${token}`);
      await fillAccountForm(first.page, { username: 'invited', firstName: 'Ivy', email: 'ivy@example.com' });
      await first.page.getByTestId('add-passkey').click();
      await first.page.waitForURL('**/settings/account');
      await first.page.getByTestId('passkey-row').first().waitFor();
    } finally {
      await first.close();
    }
    const second = await launchBrowser();
    try {
      await second.page.goto(`${server.url}/st/${token}`);
      await fillAccountForm(second.page, {
        username: 'latecomer',
        firstName: 'Lee',
        email: 'lee@example.com',
      });
      await second.page.getByTestId('account-form-error').waitFor();
      assert.match(String(await second.page.getByTestId('account-form-error').textContent()), /used up/);
    } finally {
      await second.close();
    }
  });
});
