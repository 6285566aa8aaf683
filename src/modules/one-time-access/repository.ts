import type { Database } from '../../db/database.ts';
import type { OneTimeAccessTokensTable } from '../../db/types.ts';

export async function insertOneTimeAccessToken(db: Database, row: OneTimeAccessTokensTable): Promise<void> {
  await db.insertInto('one_time_access_tokens').values(row).execute();
}

/** Deletes the token and hands it back: a code signs in at most once. Run inside the exchanging transaction. */
export async function consumeOneTimeAccessToken(
  db: Database,
  tokenHash: string,
): Promise<OneTimeAccessTokensTable | undefined> {
  return db
    .deleteFrom('one_time_access_tokens')
    .where('token_hash', '=', tokenHash)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteExpiredOneTimeAccessTokens(db: Database, now: string): Promise<number> {
  const result = await db
    .deleteFrom('one_time_access_tokens')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
