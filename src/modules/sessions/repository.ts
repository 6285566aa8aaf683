import type { Database } from '../../db/database.ts';
import type { SessionsTable, UsersTable } from '../../db/types.ts';

export async function insertSession(db: Database, row: SessionsTable): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function findLiveSessionByTokenHash(
  db: Database,
  tokenHash: string,
  now: string,
): Promise<{ session: SessionsTable; user: UsersTable } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('sessions')
    .select([
      'users.created_at as u_created_at',
      'users.updated_at as u_updated_at',
      'users.username as u_username',
      'users.email as u_email',
      'users.email_verified as u_email_verified',
      'users.first_name as u_first_name',
      'users.last_name as u_last_name',
      'users.display_name as u_display_name',
      'users.is_admin as u_is_admin',
      'users.ldap_id as u_ldap_id',
      'users.locale as u_locale',
      'users.disabled as u_disabled',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  const session: SessionsTable = {
    id: row.id,
    token_hash: row.token_hash,
    user_id: row.user_id,
    created_at: row.created_at,
    expires_at: row.expires_at,
    auth_time: row.auth_time,
    amr: row.amr,
    ip_address: row.ip_address,
    user_agent: row.user_agent,
  };
  const user: UsersTable = {
    id: row.user_id,
    created_at: row.u_created_at,
    updated_at: row.u_updated_at,
    username: row.u_username,
    email: row.u_email,
    email_verified: row.u_email_verified,
    first_name: row.u_first_name,
    last_name: row.u_last_name,
    display_name: row.u_display_name,
    is_admin: row.u_is_admin,
    ldap_id: row.u_ldap_id,
    locale: row.u_locale,
    disabled: row.u_disabled,
  };
  return { session, user };
}

export async function deleteSessionById(db: Database, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteSessionByTokenHash(db: Database, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteSessionsOfUser(db: Database, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: Database, now: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
