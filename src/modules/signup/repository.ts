import type { Database } from '../../db/database.ts';
import type { SignupTokensTable } from '../../db/types.ts';

const setupMarkerKey = 'initial_admin_created_at';

/**
 * Claims the one-time "first admin created" marker. Its primary key makes a second concurrent setup fail
 * with a unique violation, on both engines, whatever the isolation level.
 */
export async function insertSetupMarker(db: Database, now: string): Promise<void> {
  await db.insertInto('kv').values({ key: setupMarkerKey, value: now }).execute();
}

export async function hasSetupMarker(db: Database): Promise<boolean> {
  const row = await db.selectFrom('kv').select('key').where('key', '=', setupMarkerKey).executeTakeFirst();
  return row !== undefined;
}

export async function addUserToGroups(
  db: Database,
  userId: string,
  groupIds: readonly string[],
): Promise<void> {
  if (groupIds.length === 0) return;
  await db
    .insertInto('user_groups_users')
    .values(groupIds.map((groupId) => ({ user_id: userId, user_group_id: groupId })))
    .execute();
}

export async function insertUserCustomClaims(
  db: Database,
  userId: string,
  claims: readonly { id: string; key: string; value: string }[],
): Promise<void> {
  if (claims.length === 0) return;
  await db
    .insertInto('custom_claims')
    .values(claims.map((claim) => ({ ...claim, user_id: userId, user_group_id: null })))
    .execute();
}

export async function listExistingGroups(
  db: Database,
  ids: readonly string[],
): Promise<
  { id: string; name: string; friendly_name: string; created_at: string; ldap_id: string | null }[]
> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('user_groups')
    .select(['id', 'name', 'friendly_name', 'created_at', 'ldap_id'])
    .where('id', 'in', ids)
    .orderBy('name')
    .execute();
}

export async function insertSignupToken(
  db: Database,
  row: SignupTokensTable,
  groupIds: readonly string[],
): Promise<void> {
  await db.insertInto('signup_tokens').values(row).execute();
  if (groupIds.length > 0) {
    await db
      .insertInto('signup_tokens_user_groups')
      .values(groupIds.map((groupId) => ({ signup_token_id: row.id, user_group_id: groupId })))
      .execute();
  }
}

export async function listSignupTokens(db: Database): Promise<SignupTokensTable[]> {
  return db.selectFrom('signup_tokens').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
}

export async function findSignupTokenById(db: Database, id: string): Promise<SignupTokensTable | undefined> {
  return db.selectFrom('signup_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listGroupIdsOfSignupTokens(
  db: Database,
  tokenIds: readonly string[],
): Promise<{ signup_token_id: string; user_group_id: string }[]> {
  if (tokenIds.length === 0) return [];
  return db
    .selectFrom('signup_tokens_user_groups')
    .selectAll()
    .where('signup_token_id', 'in', tokenIds)
    .execute();
}

export async function deleteSignupToken(db: Database, id: string): Promise<boolean> {
  const result = await db.deleteFrom('signup_tokens').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/**
 * Counts one use of a live token in a single UPDATE, so concurrent signups can never exceed the limit.
 * @returns the token's id, or undefined when it is unknown, expired or used up
 */
export async function countSignupTokenUse(
  db: Database,
  token: string,
  now: string,
): Promise<string | undefined> {
  const row = await db
    .updateTable('signup_tokens')
    .set((eb) => ({ usage_count: eb('usage_count', '+', 1) }))
    .where('token', '=', token)
    .where('expires_at', '>', now)
    .whereRef('usage_count', '<', 'usage_limit')
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}
