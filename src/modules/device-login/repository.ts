import type { Database } from '../../db/database.ts';
import type { DeviceLoginRequestsTable } from '../../db/types.ts';

export type DeviceLoginRequest = DeviceLoginRequestsTable;

export async function insertDeviceLoginRequest(db: Database, row: DeviceLoginRequest): Promise<void> {
  await db.insertInto('device_login_requests').values(row).execute();
}

export async function findDeviceLoginRequestById(
  db: Database,
  id: string,
): Promise<DeviceLoginRequest | undefined> {
  return db.selectFrom('device_login_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDeviceLoginRequestByCode(
  db: Database,
  userCode: string,
): Promise<DeviceLoginRequest | undefined> {
  return db
    .selectFrom('device_login_requests')
    .selectAll()
    .where('user_code', '=', userCode)
    .executeTakeFirst();
}

/** Approves or denies a pending, unexpired request; false when it was not pending any more (a race or replay). */
export async function decideDeviceLoginRequest(
  db: Database,
  input: { id: string; status: 'approved' | 'denied'; userId: string; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable('device_login_requests')
    .set({ status: input.status, user_id: input.userId, decided_at: input.now })
    .where('id', '=', input.id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', input.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks an approved request as used; only one caller can win. */
export async function consumeDeviceLoginRequest(db: Database, id: string): Promise<boolean> {
  const result = await db
    .updateTable('device_login_requests')
    .set({ status: 'consumed' })
    .where('id', '=', id)
    .where('status', '=', 'approved')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteDeviceLoginRequestsBefore(db: Database, before: string): Promise<number> {
  const result = await db
    .deleteFrom('device_login_requests')
    .where('expires_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
