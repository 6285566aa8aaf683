import { type ExpressionBuilder, sql } from 'kysely';
import { dialectOf } from '../../db/column-types.ts';
import type { Database } from '../../db/database.ts';
import type { AuditLogsTable, DB } from '../../db/types.ts';

export async function insertAuditLog(db: Database, row: AuditLogsTable): Promise<void> {
  await db.insertInto('audit_logs').values(row).execute();
}

export async function deleteAuditLogsBefore(db: Database, before: string): Promise<number> {
  const result = await db.deleteFrom('audit_logs').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface AuditLogFilters {
  readonly userId?: string;
  readonly event?: string;
  readonly clientName?: string;
  /** `internal`: loopback and private addresses; `external`: everything else. */
  readonly location?: 'internal' | 'external';
}

export type AuditLogRow = AuditLogsTable & { username: string | null };

function clientNameOf(db: Database) {
  return dialectOf(db) === 'postgres'
    ? sql<string>`audit_logs.data->>'clientName'`
    : sql<string>`json_extract(audit_logs.data, '$.clientName')`;
}

/** Loopback, RFC 1918, link-local and IPv6 unique-local addresses, matched on their text form. */
const privateAddressPatterns = [
  '127.%',
  '10.%',
  '192.168.%',
  ...Array.from({ length: 16 }, (_, index) => `172.${16 + index}.%`),
  '169.254.%',
  '::1',
  '::ffff:127.%',
  'fc%',
  'fd%',
  'fe80:%',
];

function applyFilters(db: Database, filters: AuditLogFilters) {
  return (eb: ExpressionBuilder<DB, 'audit_logs'>) => {
    const conditions = [];
    if (filters.userId) conditions.push(eb('audit_logs.user_id', '=', filters.userId));
    if (filters.event) conditions.push(eb('audit_logs.event', '=', filters.event));
    if (filters.clientName) conditions.push(eb(clientNameOf(db), '=', filters.clientName));
    if (filters.location) {
      const isPrivate = eb.or([
        eb('audit_logs.ip_address', 'is', null),
        ...privateAddressPatterns.map((pattern) => eb(sql`lower(audit_logs.ip_address)`, 'like', pattern)),
      ]);
      conditions.push(filters.location === 'internal' ? isPrivate : eb.not(isPrivate));
    }
    return eb.and(conditions);
  };
}

export async function listAuditLogs(
  db: Database,
  query: { filters: AuditLogFilters; limit: number; offset: number; sortDirection: 'asc' | 'desc' },
): Promise<{ rows: AuditLogRow[]; total: number }> {
  const where = applyFilters(db, query.filters);
  const rows = await db
    .selectFrom('audit_logs')
    .leftJoin('users', 'users.id', 'audit_logs.user_id')
    .selectAll('audit_logs')
    .select('users.username as username')
    .where(where)
    .orderBy('audit_logs.created_at', query.sortDirection)
    .orderBy('audit_logs.id', query.sortDirection)
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  const count = await db
    .selectFrom('audit_logs')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where(where)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(count.count) };
}

export async function listAuditClientNames(db: Database): Promise<string[]> {
  const clientName = clientNameOf(db);
  const rows = await db
    .selectFrom('audit_logs')
    .select(clientName.as('client_name'))
    .where(clientName, 'is not', null)
    .distinct()
    .orderBy('client_name')
    .execute();
  return rows.map((row) => String(row.client_name));
}

export async function listAuditUsers(db: Database): Promise<{ id: string; username: string }[]> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.username'])
    .where((eb) =>
      eb.exists(
        eb.selectFrom('audit_logs').select('audit_logs.id').whereRef('audit_logs.user_id', '=', 'users.id'),
      ),
    )
    .orderBy('users.username')
    .execute();
}
