import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { insertClient, type NewClient } from '../../src/oidc/clients-repository.ts';
import type { SignedInUser } from '../helpers/sign-in.ts';
import type { TestApp } from '../helpers/test-app.ts';

export const redirectUri = 'https://rp.example.com/callback';

/** Remembers cookies across requests (paths ignored: enough for the engine's cookies in tests). */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  constructor(initial?: string) {
    if (initial) for (const part of initial.split('; ')) this.add(part);
  }
  private add(pair: string) {
    const index = pair.indexOf('=');
    const name = pair.slice(0, index);
    const value = pair.slice(index + 1);
    if (value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
  store(setCookie: string | string[] | undefined) {
    for (const line of [setCookie ?? []].flat()) {
      const pair = line.split(';')[0];
      if (/expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(pair.split('=')[0]);
      else this.add(pair);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export async function createConfidentialClient(testApp: TestApp, overrides: Partial<NewClient> = {}) {
  const secret = randomBytes(24).toString('base64url');
  const id = await insertClient(testApp.db, {
    name: 'Test RP',
    callbackUrls: [redirectUri],
    logoutCallbackUrls: ['https://rp.example.com/logged-out'],
    secret,
    ...overrides,
  });
  return { id, secret, basic: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
}

export async function createPublicClient(testApp: TestApp, overrides: Partial<NewClient> = {}) {
  const id = await insertClient(testApp.db, {
    name: 'Public SPA',
    callbackUrls: [redirectUri],
    isPublic: true,
    ...overrides,
  });
  return { id };
}

export function authorizeUrl(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  return `/authorize?${query}`;
}

/** GETs a URL with the jar, storing cookies; returns the response. */
export async function browserGet(testApp: TestApp, jar: CookieJar, url: string) {
  const response = await testApp.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
  jar.store(response.headers['set-cookie']);
  return response;
}

export interface AuthorizeResult {
  readonly location: URL;
  readonly code: string | null;
}

/**
 * Runs /authorize for a signed-in browser up to the redirect back to the client, completing the interaction
 * pages' steps through the API (consent included) as the SPA would.
 */
export async function authorize(
  testApp: TestApp,
  signedIn: SignedInUser | null,
  params: Record<string, string | undefined>,
  jar = new CookieJar(signedIn?.cookie),
): Promise<AuthorizeResult> {
  let response = await browserGet(testApp, jar, authorizeUrl(params));
  for (let hop = 0; hop < 6; hop += 1) {
    assert.ok(
      [302, 303].includes(response.statusCode),
      `expected a redirect, got ${response.statusCode}: ${response.body}`,
    );
    const location = new URL(String(response.headers.location), 'http://localhost:1411');
    if (location.origin === 'http://localhost:1411' && location.pathname === '/interaction') {
      const id = location.searchParams.get('interaction') ?? '';
      const complete = await testApp.app.inject({
        method: 'POST',
        url: `/api/oidc/interactions/${id}/complete`,
        headers: { cookie: jar.header() },
        payload: { step: 'consent' },
      });
      assert.equal(complete.statusCode, 200, complete.body);
      const body = complete.json();
      assert.ok(body.redirectUrl, complete.body);
      response = await browserGet(testApp, jar, new URL(body.redirectUrl).pathname);
      continue;
    }
    return { location, code: location.searchParams.get('code') };
  }
  throw new Error('too many redirects');
}

export async function tokenRequest(
  testApp: TestApp,
  form: Record<string, string | undefined>,
  headers: Record<string, string> = {},
) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) if (value !== undefined) body.set(key, value);
  return testApp.app.inject({
    method: 'POST',
    url: '/api/oidc/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: body.toString(),
  });
}

export async function formPost(
  testApp: TestApp,
  url: string,
  form: Record<string, string | undefined>,
  headers: Record<string, string> = {},
) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) if (value !== undefined) body.set(key, value);
  return testApp.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: body.toString(),
  });
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * The whole authorization code flow for a signed-in browser and a confidential client: authorize (consenting),
 * then exchange the code. Returns the token response, asserting it succeeded.
 */
export async function signInWithCode(
  testApp: TestApp,
  signedIn: SignedInUser,
  client: { id: string; basic: string },
  scope: string,
) {
  const { code } = await authorize(testApp, signedIn, {
    client_id: client.id,
    response_type: 'code',
    scope,
    redirect_uri: redirectUri,
  });
  const response = await tokenRequest(
    testApp,
    { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
    { authorization: client.basic },
  );
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

/**
 * A signed-in browser approves a device-flow user code on the engine's /device pages: enters the code,
 * confirms, and goes through the consent step when one is asked. Returns the final page.
 */
export async function approveDeviceCode(testApp: TestApp, jar: CookieJar, userCode: string) {
  const post = async (form: Record<string, string>) => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/device',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });
    jar.store(response.headers['set-cookie']);
    return response;
  };
  const xsrfOf = (body: string) => /name="xsrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
  const page = await browserGet(testApp, jar, '/device');
  const entered = await post({ xsrf: xsrfOf(page.body), user_code: userCode });
  assert.equal(entered.statusCode, 200, entered.body);
  let response = await post({ xsrf: xsrfOf(entered.body), user_code: userCode, confirm: 'yes' });
  for (let hop = 0; hop < 6 && [302, 303].includes(response.statusCode); hop += 1) {
    const location = new URL(String(response.headers.location), testApp.config.appUrl);
    if (location.pathname === '/interaction') {
      const complete = await testApp.app.inject({
        method: 'POST',
        url: `/api/oidc/interactions/${location.searchParams.get('interaction')}/complete`,
        headers: { cookie: jar.header() },
        payload: { step: 'consent' },
      });
      assert.equal(complete.statusCode, 200, complete.body);
      response = await browserGet(testApp, jar, new URL(complete.json().redirectUrl).pathname);
    } else {
      response = await browserGet(testApp, jar, location.pathname + location.search);
    }
  }
  return response;
}
