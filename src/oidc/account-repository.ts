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

/** The user and the groups they belong to (ordered by name), in one query. */
export async function findAccountWithGroups(
  db: Database,
  userId: string,
): Promise<{ account: AccountRecord; groups: { id: string; name: string }[] } | undefined> {
  const rows = await db
    .selectFrom('users')
    .leftJoin('user_groups_users as member', 'member.user_id', 'users.id')
    .leftJoin('user_groups', 'user_groups.id', 'member.user_group_id')
    .select([
      'users.id',
      'users.username',
      'users.email',
      'users.email_verified',
      'users.first_name',
      'users.last_name',
      'users.display_name',
      'users.disabled',
      'user_groups.id as group_id',
      'user_groups.name as group_name',
    ])
    .where('users.id', '=', userId)
    .orderBy('user_groups.name')
    .execute();
  if (rows.length === 0) return undefined;
  const [row] = rows;
  return {
    account: {
      id: row.id,
      username: row.username,
      email: row.email,
      emailVerified: toBool(row.email_verified),
      firstName: row.first_name,
      lastName: row.last_name,
      displayName: row.display_name,
      disabled: toBool(row.disabled),
    },
    groups: rows.flatMap((group) =>
      group.group_id !== null && group.group_name !== null
        ? [{ id: group.group_id, name: group.group_name }]
        : [],
    ),
  };
}

/** Custom claims of the user and of the groups they belong to, as stored. */
export async function listCustomClaimsOfAccount(
  db: Database,
  userId: string,
): Promise<{ key: string; value: string; userId: string | null; userGroupId: string | null }[]> {
  const rows = await db
    .selectFrom('custom_claims')
    .select(['key', 'value', 'user_id', 'user_group_id'])
    .where((eb) =>
      eb.or([
        eb('user_id', '=', userId),
        eb(
          'user_group_id',
          'in',
          eb.selectFrom('user_groups_users').select('user_group_id').where('user_id', '=', userId),
        ),
      ]),
    )
    .execute();
  return rows.map((row) => ({
    key: row.key,
    value: row.value,
    userId: row.user_id,
    userGroupId: row.user_group_id,
  }));
}
