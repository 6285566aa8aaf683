import type { Database } from '../db/database.ts';
import { isReservedClaimKey } from '../lib/reserved-claims.ts';
import { findAccountWithGroups, listCustomClaimsOfAccount } from './account-repository.ts';

export type ClaimValue = string | number | boolean | null | ClaimValue[] | { [key: string]: ClaimValue };

export interface AccountClaims {
  readonly standard: Record<string, ClaimValue>;
  /** Custom claims, released with the `profile` scope. */
  readonly custom: Record<string, ClaimValue>;
  /** Ids of the user's groups, for group-restricted clients. */
  readonly groupIds: readonly string[];
}

/** A custom claim value that parses as JSON is released as JSON, as upstream does. */
function parseClaimValue(value: string): ClaimValue {
  try {
    return JSON.parse(value) as ClaimValue;
  } catch {
    return value;
  }
}

/**
 * The claims of a user as upstream releases them: `sub` = id, profile claims, email, groups by name, and custom
 * claims where the user's own win over their groups' (the first group, by name, wins among groups).
 * Returns undefined for a missing or disabled user.
 */
export async function loadAccountClaims(
  db: Database,
  appUrl: string,
  userId: string,
): Promise<AccountClaims | undefined> {
  // Two independent reads: on PostgreSQL they run on two connections at once.
  const [found, rows] = await Promise.all([
    findAccountWithGroups(db, userId),
    listCustomClaimsOfAccount(db, userId),
  ]);
  if (!found || found.account.disabled) return undefined;
  const { account: user, groups } = found;
  const custom: Record<string, ClaimValue> = {};
  const groupOrder = new Map(groups.map((group, index) => [group.id, index]));
  const ordered = [...rows].sort((a, b) => {
    const rank = (row: (typeof rows)[number]) =>
      row.userId ? -1 : (groupOrder.get(row.userGroupId ?? '') ?? 0);
    return rank(a) - rank(b);
  });
  for (const row of ordered) {
    if (isReservedClaimKey(row.key) || row.key in custom) continue;
    custom[row.key] = parseClaimValue(row.value);
  }
  const fullName = `${user.firstName} ${user.lastName}`.trim();
  const standard: Record<string, ClaimValue> = {
    sub: user.id,
    given_name: user.firstName,
    family_name: user.lastName,
    name: fullName || user.displayName || user.username,
    display_name: user.displayName,
    preferred_username: user.username,
    picture: `${appUrl}/api/users/${user.id}/profile-picture.png`,
    groups: groups.map((group) => group.name),
  };
  if (user.email) {
    standard.email = user.email;
    standard.email_verified = user.emailVerified;
  }
  return { standard, custom, groupIds: groups.map((group) => group.id) };
}
