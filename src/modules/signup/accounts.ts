import { randomUUID } from 'node:crypto';
import type { AppSettings } from '../../config/app-settings.ts';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation, parseJson } from '../../db/database.ts';
import { AppError } from '../../http/errors.ts';
import { isReservedClaimKey } from '../../lib/reserved-claims.ts';
import { findUserByUsernameOrEmail, insertUser, type User } from '../users/repository.ts';
import { addUserToGroups, insertUserCustomClaims, listExistingGroups } from './repository.ts';
import type { AccountInput } from './schemas.ts';

/**
 * Creates a user from setup or signup input, with the given groups and the signup default claims.
 * @throws AppError username_taken | email_taken | validation_error
 */
export async function createAccount(
  trx: Database,
  input: AccountInput,
  options: { isAdmin: boolean; groupIds: readonly string[]; settings: AppSettings; now: string },
): Promise<User> {
  if (options.settings.requireUserEmail === 'true' && !input.email) {
    throw new AppError('validation_error', 400, 'Invalid request: email: is required', {
      fields: { email: 'is required' },
    });
  }
  await checkAvailable(trx, 'username', input.username);
  if (input.email) await checkAvailable(trx, 'email', input.email);

  const user: User = {
    id: randomUUID(),
    createdAt: options.now,
    updatedAt: options.now,
    username: input.username,
    email: input.email,
    emailVerified: options.settings.emailsVerified === 'true',
    firstName: input.firstName,
    lastName: input.lastName,
    displayName: input.displayName || `${input.firstName} ${input.lastName}`.trim(),
    isAdmin: options.isAdmin,
    ldapId: null,
    locale: null,
    disabled: false,
  };
  try {
    await insertUser(trx, user);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('username_taken', 409, 'This username is already taken');
    throw error;
  }
  const groups = await listExistingGroups(trx, [...new Set(options.groupIds)]);
  await addUserToGroups(
    trx,
    user.id,
    groups.map((group) => group.id),
  );
  const claims = parseJson<{ key?: unknown; value?: unknown }[]>(
    options.settings.signupDefaultCustomClaims,
    [],
  )
    .filter((claim) => typeof claim.key === 'string' && claim.key !== '' && !isReservedClaimKey(claim.key))
    .map((claim) => ({ id: randomUUID(), key: String(claim.key), value: String(claim.value ?? '') }));
  await insertUserCustomClaims(trx, user.id, claims);
  return user;
}

async function checkAvailable(trx: Database, field: 'username' | 'email', value: string): Promise<void> {
  const existing = await findUserByUsernameOrEmail(trx, value);
  if (!existing) return;
  if (field === 'username' && existing.username.toLowerCase() === value.toLowerCase()) {
    throw new AppError('username_taken', 409, 'This username is already taken', {
      fields: { username: 'is already taken' },
    });
  }
  if (field === 'email' && existing.email?.toLowerCase() === value.toLowerCase()) {
    throw new AppError('email_taken', 409, 'This email address is already used by another account', {
      fields: { email: 'is already used' },
    });
  }
}
