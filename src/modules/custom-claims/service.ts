import type { Database } from '../../db/database.ts';
import { AppError, badRequest, notFound } from '../../http/errors.ts';
import { isReservedClaimKey } from '../../lib/reserved-claims.ts';
import {
  type CustomClaim,
  groupExists,
  listClaimsOfOwners,
  listDistinctClaimKeys,
  replaceClaims,
  userExists,
} from './repository.ts';

export type { CustomClaim };

/** Custom claims of users and groups; other modules read them through this narrow interface. */
export interface CustomClaims {
  /** `db` lets a caller read inside its own transaction. */
  ofUsers(userIds: readonly string[], db?: Database): Promise<Map<string, CustomClaim[]>>;
  ofGroups(groupIds: readonly string[], db?: Database): Promise<Map<string, CustomClaim[]>>;
  /** @throws AppError reserved_claim_key, validation_error, user_not_found */
  replaceOfUser(userId: string, claims: readonly CustomClaim[]): Promise<CustomClaim[]>;
  /** @throws AppError reserved_claim_key, validation_error, group_not_found */
  replaceOfGroup(groupId: string, claims: readonly CustomClaim[]): Promise<CustomClaim[]>;
  suggestions(): Promise<string[]>;
}

/**
 * Checks a set of claims before it replaces the stored one: keys non-empty, unique, not reserved.
 * @throws AppError
 */
export function checkClaims(claims: readonly CustomClaim[]): CustomClaim[] {
  const seen = new Set<string>();
  const fields: Record<string, string> = {};
  claims.forEach((claim, index) => {
    const key = claim.key.trim();
    if (key === '') fields[`${index}.key`] = 'must not be empty';
    else if (isReservedClaimKey(key)) {
      throw new AppError('reserved_claim_key', 400, `Claim key "${key}" is reserved and cannot be used`, {
        fields: { [`${index}.key`]: 'is a reserved claim key' },
      });
    } else if (seen.has(key)) fields[`${index}.key`] = `duplicate key "${key}"`;
    seen.add(key);
  });
  if (Object.keys(fields).length > 0) throw badRequest('Invalid custom claims', fields);
  return claims.map((claim) => ({ key: claim.key.trim(), value: claim.value }));
}

export function createCustomClaims(deps: { db: Database }): CustomClaims {
  const { db } = deps;
  return {
    ofUsers: (ids, trx = db) => listClaimsOfOwners(trx, 'user_id', ids),
    ofGroups: (ids, trx = db) => listClaimsOfOwners(trx, 'user_group_id', ids),
    async replaceOfUser(userId, claims) {
      const checked = checkClaims(claims);
      if (!(await userExists(db, userId))) throw notFound('user_not_found', 'User not found');
      await replaceClaims(db, { userId }, checked);
      return (await listClaimsOfOwners(db, 'user_id', [userId])).get(userId) ?? [];
    },
    async replaceOfGroup(groupId, claims) {
      const checked = checkClaims(claims);
      if (!(await groupExists(db, groupId))) throw notFound('group_not_found', 'User group not found');
      await replaceClaims(db, { userGroupId: groupId }, checked);
      return (await listClaimsOfOwners(db, 'user_group_id', [groupId])).get(groupId) ?? [];
    },
    suggestions: () => listDistinctClaimKeys(db),
  };
}
