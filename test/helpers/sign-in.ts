import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '../../src/lib/crypto.ts';
import type { User } from '../../src/modules/users/repository.ts';
import { insertUser } from '../../src/modules/users/repository.ts';
import type { TestApp } from './test-app.ts';

/** Starts a database session for the user, as a sign-in would, and returns the `cookie` header to send. */
export async function signInAs(
  testApp: TestApp,
  userId: string,
  amr: readonly string[] = ['phr'],
): Promise<string> {
  const token = randomToken();
  const now = new Date();
  await testApp.db
    .insertInto('sessions')
    .values({
      id: randomUUID(),
      token_hash: sha256Hex(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + 3600_000).toISOString(),
      auth_time: now.toISOString(),
      amr: JSON.stringify(amr),
      ip_address: '127.0.0.1',
      user_agent: 'test',
    })
    .execute();
  return `${testApp.services.sessions.cookies.session}=${token}`;
}

/** Inserts a user row directly and returns its id. */
export async function insertTestUser(
  testApp: TestApp,
  fields: { username: string; email?: string | null; isAdmin?: boolean; disabled?: boolean; id?: string },
): Promise<string> {
  const id = fields.id ?? randomUUID();
  const now = new Date().toISOString();
  await testApp.db
    .insertInto('users')
    .values({
      id,
      created_at: now,
      updated_at: now,
      username: fields.username,
      email: fields.email === undefined ? `${fields.username}@example.com` : fields.email,
      email_verified: false,
      first_name: fields.username,
      last_name: '',
      display_name: fields.username,
      is_admin: fields.isAdmin ?? false,
      ldap_id: null,
      locale: null,
      disabled: fields.disabled ?? false,
    })
    .execute();
  return id;
}

/** An admin and a regular user, each with a session cookie. */
export async function adminAndUser(testApp: TestApp) {
  const adminId = await insertTestUser(testApp, { username: 'admin', isAdmin: true });
  const userId = await insertTestUser(testApp, { username: 'regular' });
  return {
    adminId,
    userId,
    admin: { cookie: await signInAs(testApp, adminId) },
    user: { cookie: await signInAs(testApp, userId) },
  };
}

export interface SignedInUser {
  readonly user: User;
  /** `Cookie` header value carrying the session. */
  readonly cookie: string;
  readonly token: string;
}

export function newUser(overrides: Partial<User> = {}): User {
  const now = new Date().toISOString();
  const id = overrides.id ?? randomUUID();
  return {
    id,
    createdAt: now,
    updatedAt: now,
    username: `user-${id.slice(0, 8)}`,
    email: `${id.slice(0, 8)}@example.com`,
    emailVerified: true,
    firstName: 'Tim',
    lastName: 'Cook',
    displayName: 'Tim Cook',
    isAdmin: false,
    ldapId: null,
    locale: null,
    disabled: false,
    ...overrides,
  };
}

export async function createUser(testApp: TestApp, overrides: Partial<User> = {}): Promise<User> {
  const user = newUser(overrides);
  await insertUser(testApp.db, user);
  return user;
}

/**
 * Signs a user in the way a passkey sign-in would, by inserting a session row with a known token
 * (until the passkeys module provides a software authenticator for server tests).
 */
export async function signInUser(
  testApp: TestApp,
  user: User,
  options: { authTime?: Date; amr?: string[] } = {},
): Promise<SignedInUser> {
  const token = randomToken();
  const now = new Date();
  const authTime = options.authTime ?? now;
  await testApp.db
    .insertInto('sessions')
    .values({
      id: randomUUID(),
      token_hash: sha256Hex(token),
      user_id: user.id,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + 3600_000).toISOString(),
      auth_time: authTime.toISOString(),
      amr: JSON.stringify(options.amr ?? ['phr']),
      ip_address: '127.0.0.1',
      user_agent: 'test',
    })
    .execute();
  return { user, token, cookie: `${testApp.services.sessions.cookies.session}=${token}` };
}

export async function createSignedInUser(
  testApp: TestApp,
  overrides: Partial<User> = {},
): Promise<SignedInUser> {
  return signInUser(testApp, await createUser(testApp, overrides));
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * `call(method, url, headers, payload?)` against a test app that a suite creates in `before` (hence the getter):
 * the shape the admin API tests use to send the same request as different callers.
 */
export function apiCaller(getApp: () => TestApp) {
  return (method: Method, url: string, headers: Record<string, string>, payload?: unknown) =>
    getApp().app.inject({
      method,
      url,
      headers,
      ...(payload !== undefined && { payload: payload as object }),
    });
}
