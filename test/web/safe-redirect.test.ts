import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeRedirect } from '../../web/src/lib/safe-redirect.ts';

const origin = 'https://id.example.com';
const fallback = '/settings/account';

describe('safeRedirect (regression: open redirect after sign-in through /%09/evil.example)', () => {
  it('keeps same-origin paths with their query and fragment', () => {
    assert.equal(safeRedirect('/settings/account', fallback, origin), '/settings/account');
    assert.equal(
      safeRedirect('/interaction?interaction=abc#x', fallback, origin),
      '/interaction?interaction=abc#x',
    );
    assert.equal(safeRedirect('https://id.example.com/settings/apps', fallback, origin), '/settings/apps');
  });

  it('falls back when there is no value', () => {
    assert.equal(safeRedirect(null, fallback, origin), fallback);
    assert.equal(safeRedirect('', fallback, origin), fallback);
  });

  for (const value of [
    '/%09/evil.example',
    '/%0a/evil.example',
    '/%2F/evil.example',
    '/%5C/evil.example',
    '/\t/evil',
    '/\n/evil',
    '/\r/evil',
    '//evil',
    '/\\evil',
    '\\\\evil',
    'https://evil.example',
    'https://evil.example/settings/account',
    'http://id.example.com/settings/account',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    ' /x',
    '/x ',
    '%E0%A4%A',
  ]) {
    it(`refuses ${JSON.stringify(value)}`, () => {
      assert.equal(safeRedirect(value, fallback, origin), fallback);
    });
  }
});
