import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '../../src/lib/crypto.ts';
import type { User } from '../../src/modules/users/repository.ts';
import { insertUser } from '../../src/modules/users/repository.ts';
import type { TestApp } from '../helpers/test-app.ts';

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

/** Signs a user in as a passkey sign-in would: a session row with a known token, and the user for assertions. */
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
