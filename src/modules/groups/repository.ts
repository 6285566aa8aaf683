import { type SqlBool, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { toBool } from '../../db/database.ts';
import type { UserGroupsTable } from '../../db/types.ts';
import { likeContains } from '../../http/pagination.ts';

export interface UserGroup {
  id: string;
  friendlyName: string;
  name: string;
  ldapId: string | null;
  createdAt: string;
}

function toGroup(row: UserGroupsTable): UserGroup {
  return {
    id: row.id,
    friendlyName: row.friendly_name,
    name: row.name,
    ldapId: row.ldap_id,
    createdAt: row.created_at,
  };
}

export const sortableGroupColumns = ['name', 'friendlyName', 'createdAt', 'userCount'] as const;
export type GroupSortColumn = (typeof sortableGroupColumns)[number];

export async function listGroups(
  db: Database,
  options: {
    search?: string;
    sortColumn?: GroupSortColumn;
    sortDirection: 'asc' | 'desc';
    limit: number;
    offset: number;
  },
): Promise<{ groups: Array<UserGroup & { userCount: number }>; totalItems: number }> {
  let base = db.selectFrom('user_groups');
  if (options.search) {
    const pattern = likeContains(options.search);
    base = base.where(
      sql<SqlBool>`(lower(name) like ${pattern} escape '\\' or lower(friendly_name) like ${pattern} escape '\\')`,
    );
  }
  const count = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const column =
    options.sortColumn === 'friendlyName'
      ? 'friendly_name'
      : options.sortColumn === 'createdAt'
        ? 'created_at'
        : options.sortColumn === 'userCount'
          ? 'user_count'
          : 'name';
  const rows = await base
    .selectAll('user_groups')
    .select((eb) =>
      eb
        .selectFrom('user_groups_users')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('user_groups_users.user_group_id', '=', 'user_groups.id')
        .as('user_count'),
    )
    .orderBy(sql.ref(column), options.sortDirection)
    .orderBy('id')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return {
    groups: rows.map((row) => ({ ...toGroup(row), userCount: Number(row.user_count ?? 0) })),
    totalItems: Number(count.count),
  };
}

export async function findGroupById(db: Database, id: string): Promise<UserGroup | undefined> {
  const row = await db.selectFrom('user_groups').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toGroup(row);
}

export async function insertGroup(db: Database, row: UserGroupsTable): Promise<void> {
  await db.insertInto('user_groups').values(row).execute();
}

export async function updateGroup(
  db: Database,
  id: string,
  values: { friendlyName?: string; name?: string; updatedAt: string },
): Promise<void> {
  await db
    .updateTable('user_groups')
    .set({
      updated_at: values.updatedAt,
      ...(values.friendlyName !== undefined && { friendly_name: values.friendlyName }),
      ...(values.name !== undefined && { name: values.name }),
    })
    .where('id', '=', id)
    .execute();
}

/** Members, claims and client restrictions go with the group (foreign-key cascades). */
export async function deleteGroupById(db: Database, id: string): Promise<boolean> {
  const result = await db.deleteFrom('user_groups').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface GroupMember {
  id: string;
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  isAdmin: boolean;
  disabled: boolean;
}

export async function listMembersOfGroup(db: Database, groupId: string): Promise<GroupMember[]> {
  const rows = await db
    .selectFrom('user_groups_users')
    .innerJoin('users', 'users.id', 'user_groups_users.user_id')
    .selectAll('users')
    .where('user_groups_users.user_group_id', '=', groupId)
    .orderBy('users.username')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    displayName: row.display_name,
    isAdmin: toBool(row.is_admin),
    disabled: toBool(row.disabled),
  }));
}

export async function listAllowedClientsOfGroup(
  db: Database,
  groupId: string,
): Promise<Array<{ id: string; name: string }>> {
  return db
    .selectFrom('oidc_clients_allowed_user_groups')
    .innerJoin('oidc_clients', 'oidc_clients.id', 'oidc_clients_allowed_user_groups.oidc_client_id')
    .select(['oidc_clients.id', 'oidc_clients.name'])
    .where('oidc_clients_allowed_user_groups.user_group_id', '=', groupId)
    .orderBy('oidc_clients.name')
    .execute();
}

/**
 * Replaces one side of a many-to-many link of the group, after checking every id exists.
 * Returns the unknown ids (nothing changed then).
 */
export async function replaceGroupLinks(
  db: Database,
  groupId: string,
  kind: 'members' | 'clients',
  ids: readonly string[],
): Promise<string[]> {
  const unique = [...new Set(ids)];
  return db.transaction().execute(async (trx) => {
    if (unique.length > 0) {
      const found =
        kind === 'members'
          ? await trx.selectFrom('users').select('id').where('id', 'in', unique).execute()
          : await trx.selectFrom('oidc_clients').select('id').where('id', 'in', unique).execute();
      const known = new Set(found.map((row) => row.id));
      const missing = unique.filter((id) => !known.has(id));
      if (missing.length > 0) return missing;
    }
    if (kind === 'members') {
      await trx.deleteFrom('user_groups_users').where('user_group_id', '=', groupId).execute();
      if (unique.length > 0) {
        await trx
          .insertInto('user_groups_users')
          .values(unique.map((userId) => ({ user_id: userId, user_group_id: groupId })))
          .execute();
      }
    } else {
      await trx.deleteFrom('oidc_clients_allowed_user_groups').where('user_group_id', '=', groupId).execute();
      if (unique.length > 0) {
        await trx
          .insertInto('oidc_clients_allowed_user_groups')
          .values(unique.map((clientId) => ({ oidc_client_id: clientId, user_group_id: groupId })))
          .execute();
      }
    }
    return [];
  });
}
