import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

/**
 * Counts one hit in the fixed window of `key`, starting a new window when the old one is over. One statement,
 * so concurrent instances never lose a hit. Returns the count in the current window and when it started.
 */
export async function incrementRateLimit(
  db: Database,
  hit: { key: string; nowMs: number; windowMs: number },
): Promise<{ count: number; windowStart: number }> {
  const windowOver = sql<boolean>`rate_limits.window_start + ${hit.windowMs} <= ${hit.nowMs}`;
  const row = await db
    .insertInto('rate_limits')
    .values({ key: hit.key, window_start: hit.nowMs, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when ${windowOver} then 1 else rate_limits.count + 1 end`,
        window_start: sql`case when ${windowOver} then ${hit.nowMs} else rate_limits.window_start end`,
      }),
    )
    .returning(['count', 'window_start'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), windowStart: Number(row.window_start) };
}

export async function deleteRateLimitsBefore(db: Database, beforeMs: number): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('window_start', '<', beforeMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}
