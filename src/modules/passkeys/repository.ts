import type { Database } from '../../db/database.ts';
import type {
  ReauthenticationTokensTable,
  WebauthnChallengesTable,
  WebauthnCredentialsTable,
} from '../../db/types.ts';

export async function insertChallenge(db: Database, row: WebauthnChallengesTable): Promise<void> {
  await db.insertInto('webauthn_challenges').values(row).execute();
}

/**
 * Deletes the challenge and hands it back, so one challenge verifies at most one response. Run it on its own,
 * not inside the verifying transaction: a failed verification must not roll the deletion back.
 */
export async function consumeChallenge(
  db: Database,
  id: string,
  ceremony: string,
): Promise<WebauthnChallengesTable | undefined> {
  return db
    .deleteFrom('webauthn_challenges')
    .where('id', '=', id)
    .where('ceremony', '=', ceremony)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteExpiredChallenges(db: Database, now: string): Promise<number> {
  const result = await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertCredential(db: Database, row: WebauthnCredentialsTable): Promise<void> {
  await db.insertInto('webauthn_credentials').values(row).execute();
}

export async function listCredentialsOfUser(
  db: Database,
  userId: string,
): Promise<WebauthnCredentialsTable[]> {
  return db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findCredentialByCredentialId(
  db: Database,
  credentialId: string,
): Promise<WebauthnCredentialsTable | undefined> {
  return db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
}

export async function findCredentialOfUser(
  db: Database,
  userId: string,
  id: string,
): Promise<WebauthnCredentialsTable | undefined> {
  return db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * Moves the signature counter forward. The `counter` condition makes a concurrent replay of the same
 * assertion lose: only one update can move the counter past a given value.
 * @returns whether the row was updated
 */
export async function recordCredentialUse(
  db: Database,
  id: string,
  update: { previousCounter: number; counter: number; backupState: boolean; usedAt: string },
): Promise<boolean> {
  const result = await db
    .updateTable('webauthn_credentials')
    .set({ counter: update.counter, backup_state: update.backupState, last_used_at: update.usedAt })
    .where('id', '=', id)
    .where('counter', '=', update.previousCounter)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function renameCredential(
  db: Database,
  userId: string,
  id: string,
  name: string,
): Promise<boolean> {
  const result = await db
    .updateTable('webauthn_credentials')
    .set({ name })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteCredentialOfUser(db: Database, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('webauthn_credentials')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function insertReauthenticationToken(
  db: Database,
  row: ReauthenticationTokensTable,
): Promise<void> {
  await db.insertInto('reauthentication_tokens').values(row).execute();
}

/** A live token of this user issued in this session: it does not outlive a sign-out or carry to another. */
export async function findLiveReauthenticationToken(
  db: Database,
  query: { tokenHash: string; userId: string; sessionId: string; now: string },
): Promise<ReauthenticationTokensTable | undefined> {
  return db
    .selectFrom('reauthentication_tokens')
    .selectAll()
    .where('token_hash', '=', query.tokenHash)
    .where('user_id', '=', query.userId)
    .where('session_id', '=', query.sessionId)
    .where('expires_at', '>', query.now)
    .executeTakeFirst();
}

export async function deleteExpiredReauthenticationTokens(db: Database, now: string): Promise<number> {
  const result = await db
    .deleteFrom('reauthentication_tokens')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteReauthenticationTokensOfUser(db: Database, userId: string): Promise<void> {
  await db.deleteFrom('reauthentication_tokens').where('user_id', '=', userId).execute();
}
