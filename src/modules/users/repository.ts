import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { toBool } from '../../db/database.ts';
import type { UsersTable } from '../../db/types.ts';

export interface User {
  id: string;
  createdAt: string;
  updatedAt: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  displayName: string;
  isAdmin: boolean;
  ldapId: string | null;
  locale: string | null;
  disabled: boolean;
}

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    username: row.username,
    email: row.email,
    emailVerified: toBool(row.email_verified),
    firstName: row.first_name,
    lastName: row.last_name,
    displayName: row.display_name,
    isAdmin: toBool(row.is_admin),
    ldapId: row.ldap_id,
    locale: row.locale,
    disabled: toBool(row.disabled),
  };
}

export function toUserRow(user: User): UsersTable {
  return {
    id: user.id,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    first_name: user.firstName,
    last_name: user.lastName,
    display_name: user.displayName,
    is_admin: user.isAdmin,
    ldap_id: user.ldapId,
    locale: user.locale,
    disabled: user.disabled,
  };
}

export async function findUserById(db: Database, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

/** Case-insensitive, as usernames and emails are unique regardless of case. */
export async function findUserByUsernameOrEmail(db: Database, value: string): Promise<User | undefined> {
  const lowered = value.toLowerCase();
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb(sql`lower(username)`, '=', lowered), eb(sql`lower(email)`, '=', lowered)]))
    .executeTakeFirst();
  return row && toUser(row);
}

export async function insertUser(db: Database, user: User): Promise<void> {
  await db.insertInto('users').values(toUserRow(user)).execute();
}

export async function countUsers(db: Database): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function listGroupNamesOfUser(db: Database, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_groups_users')
    .innerJoin('user_groups', 'user_groups.id', 'user_groups_users.user_group_id')
    .select('user_groups.name')
    .where('user_groups_users.user_id', '=', userId)
    .orderBy('user_groups.name')
    .execute();
  return rows.map((row) => row.name);
}
