import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '../../src/lib/crypto.ts';
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
