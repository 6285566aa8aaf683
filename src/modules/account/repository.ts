import type { Database } from '../../db/database.ts';
import type { UsersTable } from '../../db/types.ts';

export type ProfileUpdate = Partial<
  Pick<UsersTable, 'username' | 'email' | 'first_name' | 'last_name' | 'display_name' | 'locale'>
> & { updated_at: string; email_verified?: boolean };

export async function updateUserProfile(db: Database, userId: string, update: ProfileUpdate): Promise<void> {
  await db.updateTable('users').set(update).where('id', '=', userId).execute();
}
