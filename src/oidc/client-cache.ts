import type { Database } from '../db/database.ts';
import { findClientById, listAllowedGroupIdsOfClient, type OidcClientRecord } from './clients-repository.ts';

/** A client as the engine and userinfo use it, with the groups allowed to use it (when group-restricted). */
export interface CachedClient {
  readonly record: OidcClientRecord;
  readonly allowedGroupIds: ReadonlySet<string>;
}

/**
 * Client metadata is read on every protocol request; it is kept in memory for a few seconds. Changes made
 * through this instance's admin API drop the entry at once (`invalidate`); another instance sees them after at
 * most `ttlMs`. Secrets are not cached: they are checked against the database every time.
 */
export interface ClientCache {
  find(id: string): Promise<CachedClient | undefined>;
  invalidate(id?: string): void;
}

export const clientCacheTtlMs = 5000;

export function createClientCache(db: Database, ttlMs = clientCacheTtlMs): ClientCache {
  const entries = new Map<string, { expiresAt: number; value: Promise<CachedClient | undefined> }>();
  async function load(id: string): Promise<CachedClient | undefined> {
    const record = await findClientById(db, id);
    if (!record) return undefined;
    const allowedGroupIds = record.isGroupRestricted ? await listAllowedGroupIdsOfClient(db, id) : [];
    return { record, allowedGroupIds: new Set(allowedGroupIds) };
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
