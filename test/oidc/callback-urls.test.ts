import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchCallbackUrl, validateCallbackUrl } from '../../src/lib/callback-urls.ts';

describe('callback URL matching', () => {
  it('matches exact URLs only exactly', () => {
    const pattern = 'https://app.example.com/callback';
    assert.ok(matchCallbackUrl(pattern, pattern));
    for (const variant of [
      'https://app.example.com/callback/',
      'https://app.example.com/callback?x=1',
      'http://app.example.com/callback',
      'https://app.example.com:444/callback',
      'https://user@app.example.com/callback',
      'https://APP.example.com/callback',
      'https://evil.com/callback',
    ]) {
      assert.equal(matchCallbackUrl(pattern, variant), false, variant);
    }
  });

  it('lets plain-http loopback URLs use any port', () => {
    assert.ok(matchCallbackUrl('http://localhost:3000/cb', 'http://localhost:53123/cb'));
    assert.ok(matchCallbackUrl('http://127.0.0.1/cb', 'http://127.0.0.1:8080/cb'));
    assert.equal(matchCallbackUrl('http://localhost:3000/cb', 'http://localhost:3000/other'), false);
  });

  it('supports upstream wildcards in host, port, path and query values', () => {
    assert.ok(matchCallbackUrl('https://*.example.com/cb', 'https://a.example.com/cb'));
    assert.equal(matchCallbackUrl('https://*.example.com/cb', 'https://a.b.example.com/cb'), false);
    assert.equal(matchCallbackUrl('https://*.example.com/cb', 'https://evil.com/.example.com/cb'), false);
    assert.ok(matchCallbackUrl('https://app.example.com:*/cb', 'https://app.example.com:8443/cb'));
    assert.ok(matchCallbackUrl('https://app.example.com/*/cb', 'https://app.example.com/tenant/cb'));
    assert.equal(matchCallbackUrl('https://app.example.com/*/cb', 'https://app.example.com/a/b/cb'), false);
    assert.ok(matchCallbackUrl('https://app.example.com/**', 'https://app.example.com/a/b/cb'));
    assert.equal(matchCallbackUrl('https://app.example.com/**', 'https://app.example.com/a/../../x'), false);
    assert.ok(matchCallbackUrl('https://app.example.com/cb?env=*', 'https://app.example.com/cb?env=prod'));
    assert.equal(
      matchCallbackUrl('https://app.example.com/cb?env=*', 'https://app.example.com/cb?env=prod&x=1'),
      false,
    );
    assert.ok(matchCallbackUrl('*://app.example.com/cb', 'myapp://app.example.com/cb'));
    assert.ok(matchCallbackUrl('*', 'https://anything.example/cb'));
    assert.equal(matchCallbackUrl('*', 'javascript:alert(1)'), false);
  });

  it('refuses dangerous or malformed registrations', () => {
    assert.equal(validateCallbackUrl('https://app.example.com/cb'), undefined);
    assert.equal(validateCallbackUrl('com.example.app:/oauth'), undefined);
    assert.match(validateCallbackUrl('javascript:alert(1)') ?? '', /not allowed/);
    assert.match(validateCallbackUrl('data:text/html,hi') ?? '', /not allowed/);
    assert.match(validateCallbackUrl('https://app.example.com/cb#frag') ?? '', /fragment/);
    assert.match(validateCallbackUrl('not a url') ?? '', /absolute URL/);
    assert.match(validateCallbackUrl('http://app.example.com/cb', { allowInsecure: false }) ?? '', /https/);
    assert.equal(validateCallbackUrl('http://localhost:3000/cb', { allowInsecure: false }), undefined);
  });
});
