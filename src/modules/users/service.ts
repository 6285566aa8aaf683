import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/database.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { ListQuery, Page } from '../../http/pagination.ts';
import { toPage } from '../../http/pagination.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AppSettingsReader } from '../app-config/service.ts';
import type { AuditContext, AuditLog } from '../audit/service.ts';
import type { CustomClaims } from '../custom-claims/service.ts';
import {
  deletePasskeyOfUser,
  deleteUserById,
  findUserById,
  insertUser,
  listPasskeysOfUser,
  listUsers,
  type PasskeySummary,
  replaceGroupsOfUser,
  type User,
  type UserSortColumn,
  updateUser,
} from './repository.ts';
import type { UserCreateInput, UserDto, UserUpdateInput } from './schemas.ts';
import type { UserDtoLoader } from './user-dto.ts';

export interface UsersAdminDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly settings: AppSettingsReader;
  readonly audit: AuditLog;
  readonly claims: CustomClaims;
  readonly userDtos: UserDtoLoader;
  readonly sessions: { endAllOfUser(userId: string): Promise<void> };
  /** The OIDC provider: revokes the user's grants and tokens at relying parties (on disable and delete). */
  readonly oidcGrants: { revokeAllOfUser(userId: string): Promise<void> };
  /** Profile pictures (the profile-pictures module): stored outside the database, removed with the user. */
  readonly pictures: {
    replace(userId: string, upload: Buffer): Promise<void>;
    reset(userId: string): Promise<void>;
    removeFilesOf(userId: string): Promise<void>;
  };
}

export interface Actor {
  readonly id: string;
  readonly username: string;
}

export function createUsersAdmin(deps: UsersAdminDeps) {
  const { db, clock } = deps;

  const toDtos = (users: User[]) => deps.userDtos(users);

  /** @throws AppError user_not_found */
  async function load(id: string): Promise<User> {
    const user = await findUserById(db, id);
    if (!user) throw notFound('user_not_found', 'User not found');
    return user;
  }

  /** @throws AppError username_taken / email_taken */
  function translateUniqueViolation(error: unknown, email: string | null | undefined): never {
    if (isUniqueViolation(error)) {
      const message = String((error as Error).message ?? '');
      if (email && /email/i.test(message)) throw conflict('email_taken', 'This email is already in use');
      if (/username/i.test(message)) throw conflict('username_taken', 'This username is already in use');
      if (email) throw conflict('email_taken', 'This email is already in use');
      throw conflict('conflict', 'A user with this id already exists');
    }
    throw error;
  }

  async function checkEmailRequirement(email: string | null | undefined): Promise<void> {
    const settings = await deps.settings.read();
    if (settings.requireUserEmail === 'true' && !email) {
      throw badRequest('An email address is required', { email: 'is required' });
    }
  }

  async function get(id: string): Promise<UserDto> {
    const [dto] = await toDtos([await load(id)]);
    return dto;
  }

  return {
    async list(query: ListQuery<UserSortColumn>): Promise<Page<UserDto>> {
      const { users, totalItems } = await listUsers(db, {
        search: query.search,
        sortColumn: query.sortColumn,
        sortDirection: query.sortDirection,
        limit: query.limit,
        offset: query.offset,
      });
      return toPage(await toDtos(users), totalItems, query);
    },

    get,

    /** @throws AppError validation_error, username_taken, email_taken, group_not_found */
    async create(input: UserCreateInput): Promise<UserDto> {
      const email = input.email ? input.email : null;
      await checkEmailRequirement(email);
      const now = clock.now().toISOString();
      const firstName = input.firstName ?? '';
      const lastName = input.lastName ?? '';
      const user: User = {
        id: input.id ?? randomUUID(),
        createdAt: now,
        updatedAt: now,
        username: input.username,
        email,
        emailVerified: input.emailVerified ?? false,
        firstName,
        lastName,
        displayName: input.displayName || `${firstName} ${lastName}`.trim(),
        isAdmin: input.isAdmin ?? false,
        ldapId: null,
        locale: input.locale ?? null,
        disabled: input.disabled ?? false,
      };
      await db
        .transaction()
        .execute(async (trx) => {
          await insertUser(trx, user);
          if (input.userGroupIds && input.userGroupIds.length > 0) {
            const missing = await replaceGroupsOfUser(trx, user.id, input.userGroupIds);
            if (missing.length > 0) {
              throw badRequest(`Unknown user group: ${missing[0]}`, {
                userGroupIds: 'contains an unknown group',
              });
            }
          }
        })
        .catch((error) => {
          if (error instanceof AppError) throw error;
          translateUniqueViolation(error, email);
        });
      return get(user.id);
    },

    /** @throws AppError user_not_found, validation_error, username_taken, email_taken */
    async update(id: string, input: UserUpdateInput): Promise<UserDto> {
      const current = await load(id);
      const email = input.email === undefined ? current.email : input.email || null;
      if (input.email !== undefined) await checkEmailRequirement(email);
      try {
        await updateUser(db, id, {
          updatedAt: clock.now().toISOString(),
          username: input.username,
          email: input.email === undefined ? undefined : email,
          emailVerified: input.emailVerified,
          firstName: input.firstName,
          lastName: input.lastName,
          displayName: input.displayName,
          isAdmin: input.isAdmin,
          locale: input.locale,
          disabled: input.disabled,
        });
      } catch (error) {
        translateUniqueViolation(error, email);
      }
      // A disabled account must not keep a way in.
      if (input.disabled === true && !current.disabled) {
        await deps.sessions.endAllOfUser(id);
        await deps.oidcGrants.revokeAllOfUser(id);
      }
      return get(id);
    },

    /** @throws AppError user_not_found, forbidden (active LDAP user) */
    async remove(id: string): Promise<void> {
      const user = await load(id);
      const settings = await deps.settings.read();
      if (user.ldapId && settings.ldapEnabled === 'true') {
        throw forbidden('forbidden', 'This user is managed by LDAP and cannot be deleted here');
      }
      await deps.sessions.endAllOfUser(id);
      await deleteUserById(db, id);
      await deps.oidcGrants.revokeAllOfUser(id);
      await deps.pictures.removeFilesOf(id);
    },

    async groups(id: string): Promise<UserDto['userGroups']> {
      return (await get(id)).userGroups;
    },

    /** @throws AppError user_not_found, validation_error (unknown group) */
    async replaceGroups(id: string, groupIds: string[]): Promise<UserDto> {
      await load(id);
      const missing = await replaceGroupsOfUser(db, id, groupIds);
      if (missing.length > 0) {
        throw badRequest(`Unknown user group: ${missing[0]}`, { userGroupIds: 'contains an unknown group' });
      }
      return get(id);
    },

    /** Stores the picture as a 300 px PNG. @throws AppError user_not_found, invalid_image */
    setProfilePicture(id: string, data: Buffer): Promise<void> {
      return deps.pictures.replace(id, data);
    },

    /** Back to the default picture. @throws AppError user_not_found */
    removeProfilePicture(id: string): Promise<void> {
      return deps.pictures.reset(id);
    },

    async passkeys(id: string): Promise<PasskeySummary[]> {
      await load(id);
      return listPasskeysOfUser(db, id);
    },

    /** @throws AppError user_not_found, passkey_not_found */
    async removePasskey(
      id: string,
      credentialId: string,
      actor: Actor,
      context: AuditContext,
    ): Promise<void> {
      await load(id);
      const removed = await deletePasskeyOfUser(db, id, credentialId);
      if (!removed) throw notFound('passkey_not_found', 'Passkey not found');
      await deps.audit.record({
        ...context,
        event: 'PASSKEY_REMOVED',
        userId: id,
        data: {
          credentialID: removed.credentialId,
          passkeyName: removed.name,
          actorUserID: actor.id,
          actorUsername: actor.username,
        },
      });
    },
  };
}

export type UsersAdmin = ReturnType<typeof createUsersAdmin>;
