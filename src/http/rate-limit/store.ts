import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { incrementRateLimit } from './repository.ts';

/**
 * A store for @fastify/rate-limit that keeps its counters in the database, so a limit holds across every
 * instance behind a load balancer. Each route gets its own counters (`child` prefixes the key with the route).
 */
export function databaseRateLimitStore(deps: { db: Database; clock: Clock }): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore {
    readonly #prefix: string;

    constructor(_options?: unknown, prefix = 'global') {
      this.#prefix = prefix;
    }

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const nowMs = deps.clock.now().getTime();
      incrementRateLimit(deps.db, { key: `${this.#prefix}:${key}`, nowMs, windowMs: timeWindow }).then(
        ({ count, windowStart }) =>
          callback(null, { current: count, ttl: Math.max(0, windowStart + timeWindow - nowMs) }),
        (error: Error) => callback(error),
      );
    }

    // The plugin passes the merged limit options with the route under `routeInfo` (its typings say otherwise).
    child(options: object): FastifyRateLimitStore {
      const route = (options as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo ?? {};
      const method = Array.isArray(route.method) ? route.method.join(',') : (route.method ?? '');
      return new DatabaseRateLimitStore(
        undefined,
        `${method} ${route.url ?? ''}`,
      ) as unknown as FastifyRateLimitStore;
    }
  }
  return DatabaseRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}
