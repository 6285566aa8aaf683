import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserSkipReason, launchBrowser } from './helpers/browser.ts';
import { type RunningServer, startServer } from './helpers/server.ts';

describe('SPA in Chromium with a virtual authenticator', { skip: browserSkipReason() }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ db: 'sqlite' });
  });
  after(async () => {
    await server?.close();
  });

  it('loads the SPA under its CSP and can create a passkey on localhost', async () => {
    const session = await launchBrowser();
    try {
      const { page, authenticator } = session;
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      const response = await page.goto(`${server.url}/login`);
      assert.equal(response?.status(), 200);
      assert.match(String(response?.headers()['content-security-policy']), /script-src 'self' 'nonce-/);
      await page.getByTestId('login-page').waitFor();
      assert.equal(await page.title(), 'Latch');

      // The virtual authenticator answers a WebAuthn ceremony for RP ID "localhost".
      const created = await page.evaluate(`(async () => {
        const credential = await navigator.credentials.create({
          publicKey: {
            challenge: crypto.getRandomValues(new Uint8Array(32)),
            rp: { id: 'localhost', name: 'Latch' },
            user: { id: crypto.getRandomValues(new Uint8Array(16)), name: 'probe', displayName: 'Probe' },
            pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
            authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
          },
        });
        return credential.type;
      })()`);
      assert.equal(created, 'public-key');
      assert.equal((await authenticator.credentials()).length, 1);
      assert.deepEqual(violations, []);
      assert.deepEqual(session.errors(), []);
    } finally {
      await session.close();
    }
  });

  it('serves hashed assets with long-lived caching and unknown pages through the SPA', async () => {
    const index = await fetch(`${server.url}/some/deep/page`);
    assert.equal(index.status, 200);
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, 'index.html references a hashed script');
    const assetResponse = await fetch(`${server.url}${asset}`);
    assert.equal(assetResponse.status, 200);
    assert.match(String(assetResponse.headers.get('cache-control')), /immutable/);
    const nonces = [...html.matchAll(/nonce="([^"]+)"/g)].map((match) => match[1]);
    const second = await (await fetch(`${server.url}/login`)).text();
    assert.ok(nonces.length > 0);
    assert.ok(!second.includes(nonces[0]), 'every response gets a fresh nonce');
  });
});
