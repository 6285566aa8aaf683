import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { deleteAuditLogsBefore, insertAuditLog } from './repository.ts';

export type AuditEvent =
  | 'SIGN_IN'
  | 'TOKEN_SIGN_IN'
  | 'REMOTE_SIGN_IN'
  | 'ACCOUNT_CREATED'
  | 'PASSKEY_ADDED'
  | 'PASSKEY_REMOVED'
  | 'CLIENT_AUTHORIZATION'
  | 'NEW_CLIENT_AUTHORIZATION'
  | 'DEVICE_CODE_AUTHORIZATION'
  | 'NEW_DEVICE_CODE_AUTHORIZATION';

export interface AuditContext {
  readonly ipAddress: string | null;
  readonly userAgent: string;
}

export interface AuditEntry extends AuditContext {
  readonly event: AuditEvent;
  readonly userId: string | null;
  readonly data?: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: AuditEntry, db?: Database): Promise<void>;
  /** Deletes entries older than the retention period (AUDIT_LOG_RETENTION_DAYS). */
  deleteExpired(retentionDays: number): Promise<number>;
}

/** Writes security events with IP and user agent (location is filled in by GeoIP when configured). */
export function createAuditLog(deps: {
  db: Database;
  clock: Clock;
  /** Country and city of an address (GeoIP); unknown when absent. */
  locate?: (ip: string | null) => { country: string | null; city: string | null };
}): AuditLog {
  return {
    async record(entry, db = deps.db) {
      const location = deps.locate?.(entry.ipAddress) ?? { country: null, city: null };
      await insertAuditLog(db, {
        id: randomUUID(),
        created_at: deps.clock.now().toISOString(),
        event: entry.event,
        ip_address: entry.ipAddress,
        user_agent: entry.userAgent.slice(0, 512),
        country: location.country,
        city: location.city,
        data: JSON.stringify(entry.data ?? {}),
        user_id: entry.userId,
      });
    },
    async deleteExpired(retentionDays) {
      const cutoff = new Date(deps.clock.now().getTime() - retentionDays * 24 * 60 * 60 * 1000);
      return deleteAuditLogsBefore(deps.db, cutoff.toISOString());
    },
  };
}

/** The IP and user agent of a request, as the audit log stores them. */
export function auditContextOf(request: {
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}): AuditContext {
  const userAgent = request.headers['user-agent'];
  return { ipAddress: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : '' };
}
