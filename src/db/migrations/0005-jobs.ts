import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';

/** Leases that let exactly one instance run each scheduled job per interval. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('leased_until', t.timestamp, (c) => c.notNull())
    .addColumn('last_run_at', t.timestamp)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_leases').execute();
}
