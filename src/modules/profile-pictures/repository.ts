import type { Database } from '../../db/database.ts';

export interface PictureOwner {
  readonly id: string;
  readonly username: string;
  readonly firstName: string;
  readonly lastName: string;
}

/** The fields a profile picture depends on, or undefined for an unknown user. */
export async function findPictureOwner(db: Database, userId: string): Promise<PictureOwner | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'username', 'first_name', 'last_name'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return row && { id: row.id, username: row.username, firstName: row.first_name, lastName: row.last_name };
}
