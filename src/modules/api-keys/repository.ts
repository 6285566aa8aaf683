import type { Database } from '../../db/database.ts';
import type { ApiKeysTable, UsersTable } from '../../db/types.ts';

export interface ApiKey {
  id: string;
  name: string;
  description: string | null;
  expiresAt: string;
  lastUsedAt: string | null;
  createdAt: string;
}

function toApiKey(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
  };
}

export async function insertApiKey(db: Database, row: ApiKeysTable): Promise<ApiKey> {
  await db.insertInto('api_keys').values(row).execute();
  return toApiKey(row);
}

export async function listApiKeysOfUser(
  db: Database,
  userId: string,
  page: {
    limit: number;
    offset: number;
    sortColumn?: 'name' | 'expires_at' | 'last_used_at' | 'created_at';
    sortDirection: 'asc' | 'desc';
  },
): Promise<{ keys: ApiKey[]; totalItems: number }> {
  const base = db.selectFrom('api_keys').where('user_id', '=', userId);
  const count = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy(page.sortColumn ?? 'created_at', page.sortDirection)
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { keys: rows.map(toApiKey), totalItems: Number(count.count) };
}

export async function findApiKeyOfUser(
  db: Database,
  userId: string,
  id: string,
): Promise<ApiKey | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && toApiKey(row);
}

export async function renewApiKey(
  db: Database,
  id: string,
  values: { keyHash: string; expiresAt: string },
): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ key_hash: values.keyHash, expires_at: values.expiresAt, expiration_email_sent: false })
    .where('id', '=', id)
    .execute();
}

export async function deleteApiKeyOfUser(db: Database, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('api_keys')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The key with that hash and its owner, if it has not expired; marks it used. */
export async function touchLiveApiKey(
  db: Database,
  keyHash: string,
  now: string,
): Promise<{ keyId: string; user: UsersTable } | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .selectAll('users')
    .select('api_keys.id as key_id')
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.key_id).execute();
  const { key_id: keyId, ...user } = row;
  return { keyId, user };
}
