import type { Database } from '../db/database.ts';
import { toBool } from '../db/database.ts';

export interface AccountRecord {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly firstName: string;
  readonly lastName: string;
  readonly displayName: string;
  readonly disabled: boolean;
}

export async function findAccountRecord(db: Database, userId: string): Promise<AccountRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: toBool(row.email_verified),
    firstName: row.first_name,
    lastName: row.last_name,
    displayName: row.display_name,
    disabled: toBool(row.disabled),
  };
}

export async function listGroupsOfAccount(
  db: Database,
  userId: string,
): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('user_groups_users')
    .innerJoin('user_groups', 'user_groups.id', 'user_groups_users.user_group_id')
    .select(['user_groups.id', 'user_groups.name'])
    .where('user_groups_users.user_id', '=', userId)
    .orderBy('user_groups.name')
    .execute();
}

/** Custom claims of the user and of the given groups, as stored. */
export async function listCustomClaimsOfAccount(
  db: Database,
  userId: string,
  groupIds: readonly string[],
): Promise<{ key: string; value: string; userId: string | null; userGroupId: string | null }[]> {
  const rows = await db
    .selectFrom('custom_claims')
    .select(['key', 'value', 'user_id', 'user_group_id'])
    .where((eb) =>
      groupIds.length > 0
        ? eb.or([eb('user_id', '=', userId), eb('user_group_id', 'in', [...groupIds])])
        : eb('user_id', '=', userId),
    )
    .execute();
  return rows.map((row) => ({
    key: row.key,
    value: row.value,
    userId: row.user_id,
    userGroupId: row.user_group_id,
  }));
}
