import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';

export interface CustomClaim {
  key: string;
  value: string;
}

export type ClaimOwner = { userId: string } | { userGroupId: string };

export async function listClaimsOfOwners(
  db: Database,
  column: 'user_id' | 'user_group_id',
  ownerIds: readonly string[],
): Promise<Map<string, CustomClaim[]>> {
  const result = new Map<string, CustomClaim[]>(ownerIds.map((id) => [id, []]));
  if (ownerIds.length === 0) return result;
  const rows = await db
    .selectFrom('custom_claims')
    .select(['key', 'value', 'user_id', 'user_group_id'])
    .where(column, 'in', ownerIds)
    .orderBy('key')
    .execute();
  for (const row of rows) {
    const owner = column === 'user_id' ? row.user_id : row.user_group_id;
    if (owner) result.get(owner)?.push({ key: row.key, value: row.value });
  }
  return result;
}

/** Replaces the whole set of claims of a user or a group, in one transaction. */
export async function replaceClaims(
  db: Database,
  owner: ClaimOwner,
  claims: readonly CustomClaim[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const userId = 'userId' in owner ? owner.userId : null;
    const userGroupId = 'userGroupId' in owner ? owner.userGroupId : null;
    await trx
      .deleteFrom('custom_claims')
      .where(userId ? 'user_id' : 'user_group_id', '=', (userId ?? userGroupId) as string)
      .execute();
    if (claims.length === 0) return;
    await trx
      .insertInto('custom_claims')
      .values(
        claims.map((claim) => ({
          id: randomUUID(),
          key: claim.key,
          value: claim.value,
          user_id: userId,
          user_group_id: userGroupId,
        })),
      )
      .execute();
  });
}

export async function listDistinctClaimKeys(db: Database): Promise<string[]> {
  const rows = await db.selectFrom('custom_claims').select('key').distinct().orderBy('key').execute();
  return rows.map((row) => row.key);
}

export async function userExists(db: Database, id: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

export async function groupExists(db: Database, id: string): Promise<boolean> {
  return (
    (await db.selectFrom('user_groups').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
  );
}
