import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';

/**
 * "Sign in with another device" (QR login): a request made by a signed-out browser, approved or denied by a
 * signed-in one. Kept in the database so the long-poll and the approval may hit different instances.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('device_login_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_code', 'text', (c) => c.notNull().unique())
    // The requesting browser holds the token in an HttpOnly cookie; only its hash is stored.
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('ip_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('decided_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('device_login_requests_expires_at')
    .on('device_login_requests')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_login_requests').execute();
}
