import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { addSeconds, type Clock } from '../../lib/clock.ts';
import { randomCode, sha256Hex } from '../../lib/crypto.ts';
import { insertOneTimeAccessToken } from './repository.ts';

/** 20 characters of a 32-letter alphabet: 100 bits, still easy to type from a printed link. */
export const oneTimeAccessCodeLength = 20;

export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

/** Creates a single-use login code for a user; only its hash is stored. */
export async function createOneTimeAccessToken(
  deps: { db: Database; clock: Clock },
  userId: string,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomCode(oneTimeAccessCodeLength);
  const now = deps.clock.now();
  const expiresAt = addSeconds(now, ttlSeconds);
  await insertOneTimeAccessToken(deps.db, {
    id: randomUUID(),
    token_hash: sha256Hex(normalizeCode(token)),
    user_id: userId,
    created_at: now.toISOString(),
    expires_at: expiresAt.toISOString(),
  });
  return { token, expiresAt };
}
