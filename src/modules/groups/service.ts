import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/database.ts';
import { badRequest, conflict, notFound } from '../../http/errors.ts';
import { type ListQuery, toPage } from '../../http/pagination.ts';
import type { Clock } from '../../lib/clock.ts';
import type { CustomClaims } from '../custom-claims/service.ts';
import {
  deleteGroupById,
  findGroupById,
  type GroupSortColumn,
  insertGroup,
  listAllowedClientsOfGroup,
  listGroups,
  listMembersOfGroup,
  replaceGroupLinks,
  updateGroup,
} from './repository.ts';

export function createGroupsAdmin(deps: { db: Database; clock: Clock; claims: CustomClaims }) {
  const { db, clock } = deps;

  /** @throws AppError group_not_found */
  async function get(id: string) {
    const group = await findGroupById(db, id);
    if (!group) throw notFound('group_not_found', 'User group not found');
    const [claims, users, allowedOidcClients] = await Promise.all([
      deps.claims.ofGroups([id]),
      listMembersOfGroup(db, id),
      listAllowedClientsOfGroup(db, id),
    ]);
    return {
      ...group,
      customClaims: claims.get(id) ?? [],
      users,
      userCount: users.length,
      allowedOidcClients,
    };
  }

  function nameTaken(error: unknown): never {
    if (isUniqueViolation(error)) throw conflict('conflict', 'A group with this name already exists');
    throw error;
  }

  /** @throws AppError group_not_found, validation_error (unknown ids) */
  async function replaceLinks(id: string, kind: 'members' | 'clients', ids: string[]) {
    if (!(await findGroupById(db, id))) throw notFound('group_not_found', 'User group not found');
    const missing = await replaceGroupLinks(db, id, kind, ids);
    if (missing.length > 0) {
      const field = kind === 'members' ? 'userIds' : 'oidcClientIds';
      throw badRequest(`Unknown ${kind === 'members' ? 'user' : 'client'}: ${missing[0]}`, {
        [field]: `contains an unknown id (${missing[0]})`,
      });
    }
    return get(id);
  }

  return {
    get,
    async list(query: ListQuery<GroupSortColumn>) {
      const { groups, totalItems } = await listGroups(db, query);
      const claims = await deps.claims.ofGroups(groups.map((group) => group.id));
      return toPage(
        groups.map((group) => ({ ...group, customClaims: claims.get(group.id) ?? [] })),
        totalItems,
        query,
      );
    },
    /** @throws AppError conflict when the name is taken */
    async create(input: { friendlyName: string; name: string }) {
      const now = clock.now().toISOString();
      const id = randomUUID();
      try {
        await insertGroup(db, {
          id,
          created_at: now,
          updated_at: now,
          friendly_name: input.friendlyName,
          name: input.name,
          ldap_id: null,
        });
      } catch (error) {
        nameTaken(error);
      }
      return get(id);
    },
    /** @throws AppError group_not_found, conflict */
    async update(id: string, input: { friendlyName?: string; name?: string }) {
      if (!(await findGroupById(db, id))) throw notFound('group_not_found', 'User group not found');
      try {
        await updateGroup(db, id, { ...input, updatedAt: clock.now().toISOString() });
      } catch (error) {
        nameTaken(error);
      }
      return get(id);
    },
    /** @throws AppError group_not_found */
    async remove(id: string) {
      if (!(await deleteGroupById(db, id))) throw notFound('group_not_found', 'User group not found');
    },
    replaceMembers: (id: string, userIds: string[]) => replaceLinks(id, 'members', userIds),
    replaceAllowedClients: (id: string, clientIds: string[]) => replaceLinks(id, 'clients', clientIds),
  };
}

export type GroupsAdmin = ReturnType<typeof createGroupsAdmin>;
