import type { Database } from '../../db/database.ts';
import type { AuditLogsTable } from '../../db/types.ts';

export async function insertAuditLog(db: Database, row: AuditLogsTable): Promise<void> {
  await db.insertInto('audit_logs').values(row).execute();
}
