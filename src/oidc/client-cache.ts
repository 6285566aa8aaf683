import type { Database } from '../db/database.ts';
import {
  findClientById,
  listAllowedGroupIdsOfClient,
  listSecretHashesOfClient,
  type OidcClientRecord,
  type StoredSecret,
} from './clients-repository.ts';

/** A client as the engine and userinfo use it, with the groups allowed to use it (when group-restricted). */
export interface CachedClient {
  readonly record: OidcClientRecord;
  readonly allowedGroupIds: ReadonlySet<string>;
  /** Hashes of its secrets, with their expiry. */
  readonly secrets: readonly StoredSecret[];
}

/**
 * Client metadata is read on every protocol request; it is kept in memory for a few seconds. Changes made
 * through this instance's admin API drop the entry at once (`invalidate`); another instance sees them after at
 * most `ttlMs` (a deleted secret too: keep the TTL short).
 */
export interface ClientCache {
  find(id: string): Promise<CachedClient | undefined>;
  invalidate(id?: string): void;
}

export const clientCacheTtlMs = 5000;

export function createClientCache(db: Database, ttlMs = clientCacheTtlMs): ClientCache {
  const entries = new Map<string, { expiresAt: number; value: Promise<CachedClient | undefined> }>();
  async function load(id: string): Promise<CachedClient | undefined> {
    const [record, allowedGroupIds, secrets] = await Promise.all([
      findClientById(db, id),
      listAllowedGroupIdsOfClient(db, id),
      listSecretHashesOfClient(db, id),
    ]);
    if (!record) return undefined;
    return { record, allowedGroupIds: new Set(allowedGroupIds), secrets };
  }
  return {
    find(id) {
      const now = performance.now();
      const entry = entries.get(id);
      if (entry && entry.expiresAt > now) return entry.value;
      if (entries.size > 10_000) entries.clear();
      const value = load(id);
      entries.set(id, { expiresAt: now + ttlMs, value });
      // A failed read is not remembered.
      value.catch(() => entries.delete(id));
      return value;
    },
    invalidate(id) {
      if (id === undefined) entries.clear();
      else entries.delete(id);
    },
  };
}
