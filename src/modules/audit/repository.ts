import type { Database } from '../../db/database.ts';
import type { AuditLogsTable } from '../../db/types.ts';

export async function insertAuditLog(db: Database, row: AuditLogsTable): Promise<void> {
  await db.insertInto('audit_logs').values(row).execute();
}

export async function deleteAuditLogsBefore(db: Database, before: string): Promise<number> {
  const result = await db.deleteFrom('audit_logs').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
