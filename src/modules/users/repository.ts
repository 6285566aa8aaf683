import { type SqlBool, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { toBool } from '../../db/database.ts';
import type { UsersTable } from '../../db/types.ts';
import { likeContains } from '../../http/pagination.ts';
import { type PasskeyDto, toPasskeyDto } from '../passkeys/schemas.ts';

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

// ---------------------------------------------------------------------------------------------------------
// Admin user management (issue 5): lists, updates, deletion, group membership, passkeys seen by an admin.
// ---------------------------------------------------------------------------------------------------------

export const sortableUserColumns = [
  'username',
  'email',
  'firstName',
  'lastName',
  'displayName',
  'isAdmin',
  'disabled',
  'createdAt',
] as const;
export type UserSortColumn = (typeof sortableUserColumns)[number];

const userSortColumnNames = {
  username: 'username',
  email: 'email',
  firstName: 'first_name',
  lastName: 'last_name',
  displayName: 'display_name',
  isAdmin: 'is_admin',
  disabled: 'disabled',
  createdAt: 'created_at',
} as const satisfies Record<UserSortColumn, keyof UsersTable>;

export interface UserListOptions {
  readonly search?: string;
  readonly sortColumn?: UserSortColumn;
  readonly sortDirection: 'asc' | 'desc';
  readonly limit: number;
  readonly offset: number;
}

/** One page of users and the total count, both computed by the database. */
export async function listUsers(
  db: Database,
  options: UserListOptions,
): Promise<{ users: User[]; totalItems: number }> {
  let base = db.selectFrom('users');
  if (options.search) {
    const pattern = likeContains(options.search);
    base = base.where(
      sql<SqlBool>`(lower(username) like ${pattern} escape '\\'
        or lower(coalesce(email, '')) like ${pattern} escape '\\'
        or lower(first_name) like ${pattern} escape '\\'
        or lower(last_name) like ${pattern} escape '\\'
        or lower(display_name) like ${pattern} escape '\\')`,
    );
  }
  const countRow = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const column = userSortColumnNames[options.sortColumn ?? 'username'];
  const rows = await base
    .selectAll()
    .orderBy(column, options.sortDirection)
    .orderBy('id', 'asc')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return { users: rows.map(toUser), totalItems: Number(countRow.count) };
}

export type UserUpdate = Partial<
  Pick<
    User,
    | 'username'
    | 'email'
    | 'emailVerified'
    | 'firstName'
    | 'lastName'
    | 'displayName'
    | 'isAdmin'
    | 'locale'
    | 'disabled'
  >
> & { updatedAt: string };

export async function updateUser(db: Database, id: string, update: UserUpdate): Promise<void> {
  const values: Partial<UsersTable> = { updated_at: update.updatedAt };
  if (update.username !== undefined) values.username = update.username;
  if (update.email !== undefined) values.email = update.email;
  if (update.emailVerified !== undefined) values.email_verified = update.emailVerified;
  if (update.firstName !== undefined) values.first_name = update.firstName;
  if (update.lastName !== undefined) values.last_name = update.lastName;
  if (update.displayName !== undefined) values.display_name = update.displayName;
  if (update.isAdmin !== undefined) values.is_admin = update.isAdmin;
  if (update.locale !== undefined) values.locale = update.locale;
  if (update.disabled !== undefined) values.disabled = update.disabled;
  await db.updateTable('users').set(values).where('id', '=', id).execute();
}

/** Deletes the user; passkeys, sessions, memberships, claims and keys go with it (foreign-key cascades). */
export async function deleteUserById(db: Database, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface UserGroupSummary {
  id: string;
  name: string;
  friendlyName: string;
  ldapId: string | null;
  createdAt: string;
}

/** The groups of each given user, in one query (for a page of users). */
export async function listGroupsOfUsers(
  db: Database,
  userIds: readonly string[],
): Promise<Map<string, UserGroupSummary[]>> {
  const result = new Map<string, UserGroupSummary[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return result;
  const rows = await db
    .selectFrom('user_groups_users')
    .innerJoin('user_groups', 'user_groups.id', 'user_groups_users.user_group_id')
    .select([
      'user_groups_users.user_id',
      'user_groups.id',
      'user_groups.name',
      'user_groups.friendly_name',
      'user_groups.ldap_id',
      'user_groups.created_at',
    ])
    .where('user_groups_users.user_id', 'in', userIds)
    .orderBy('user_groups.name')
    .execute();
  for (const row of rows) {
    result.get(row.user_id)?.push({
      id: row.id,
      name: row.name,
      friendlyName: row.friendly_name,
      ldapId: row.ldap_id,
      createdAt: row.created_at,
    });
  }
  return result;
}

/** Replaces the user's group memberships. Returns the group ids that do not exist (nothing is changed then). */
export async function replaceGroupsOfUser(
  db: Database,
  userId: string,
  groupIds: readonly string[],
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const unique = [...new Set(groupIds)];
    if (unique.length > 0) {
      const found = await trx.selectFrom('user_groups').select('id').where('id', 'in', unique).execute();
      const known = new Set(found.map((row) => row.id));
      const missing = unique.filter((id) => !known.has(id));
      if (missing.length > 0) return missing;
    }
    await trx.deleteFrom('user_groups_users').where('user_id', '=', userId).execute();
    if (unique.length > 0) {
      await trx
        .insertInto('user_groups_users')
        .values(unique.map((groupId) => ({ user_id: userId, user_group_id: groupId })))
        .execute();
    }
    return [];
  });
}

export type PasskeySummary = PasskeyDto;

export async function listPasskeysOfUser(db: Database, userId: string): Promise<PasskeySummary[]> {
  const rows = await db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
  return rows.map(toPasskeyDto);
}

/** Deletes one passkey of the user and returns what it was, or undefined when there is no such passkey. */
export async function deletePasskeyOfUser(
  db: Database,
  userId: string,
  credentialId: string,
): Promise<{ name: string; credentialId: string } | undefined> {
  const row = await db
    .deleteFrom('webauthn_credentials')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('id', '=', credentialId), eb('credential_id', '=', credentialId)]))
    .returning(['name', 'credential_id'])
    .executeTakeFirst();
  return row && { name: row.name, credentialId: row.credential_id };
}
