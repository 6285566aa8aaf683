import type { Database } from '../../db/database.ts';
import type { UsersTable } from '../../db/types.ts';

export interface GroupRow {
  id: string;
  created_at: string;
  friendly_name: string;
  name: string;
  ldap_id: string | null;
}

export async function listGroupsOfUser(db: Database, userId: string): Promise<GroupRow[]> {
  return db
    .selectFrom('user_groups_users')
    .innerJoin('user_groups', 'user_groups.id', 'user_groups_users.user_group_id')
    .select([
      'user_groups.id',
      'user_groups.created_at',
      'user_groups.friendly_name',
      'user_groups.name',
      'user_groups.ldap_id',
    ])
    .where('user_groups_users.user_id', '=', userId)
    .orderBy('user_groups.name')
    .execute();
}

export async function listCustomClaimsOfOwners(
  db: Database,
  owners: { userId?: string; groupIds?: readonly string[] },
): Promise<{ key: string; value: string; user_id: string | null; user_group_id: string | null }[]> {
  const groupIds = owners.groupIds ?? [];
  if (!owners.userId && groupIds.length === 0) return [];
  return db
    .selectFrom('custom_claims')
    .select(['key', 'value', 'user_id', 'user_group_id'])
    .where((eb) =>
      eb.or([
        ...(owners.userId ? [eb('user_id', '=', owners.userId)] : []),
        ...(groupIds.length > 0 ? [eb('user_group_id', 'in', groupIds)] : []),
      ]),
    )
    .orderBy('key')
    .execute();
}

export type ProfileUpdate = Partial<
  Pick<UsersTable, 'username' | 'email' | 'first_name' | 'last_name' | 'display_name' | 'locale'>
> & { updated_at: string; email_verified?: boolean };

export async function updateUserProfile(db: Database, userId: string, update: ProfileUpdate): Promise<void> {
  await db.updateTable('users').set(update).where('id', '=', userId).execute();
}
