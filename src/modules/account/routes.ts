import { z } from 'zod';
import type { AppSettings } from '../../config/app-settings.ts';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/database.ts';
import type { Guards } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import type { App, HttpModule } from '../../http/server.ts';
import type { Clock } from '../../lib/clock.ts';
import { emailSchema } from '../signup/schemas.ts';
import { findUserById, findUserByUsernameOrEmail } from '../users/repository.ts';
import { type User, type UserDto, userSchema as userDtoSchema, usernameSchema } from '../users/schemas.ts';
import { type ProfileUpdate, updateUserProfile } from './repository.ts';

export interface AccountModuleDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly readSettings: (db?: Database) => Promise<AppSettings>;
  readonly guards: Guards;
  readonly loadUserDto: (user: User, db?: Database) => Promise<UserDto>;
  readonly extraRoutes?: (app: App) => void | Promise<void>;
}

const name = z.string().trim().max(50, 'must be at most 50 characters');

export const updateOwnAccountSchema = z.object({
  username: usernameSchema.optional(),
  email: z
    .union([emailSchema, z.literal('')])
    .nullish()
    .transform((value) => (value === undefined ? undefined : value || null)),
  firstName: name.min(1, 'must not be empty').optional(),
  lastName: name.optional(),
  displayName: z.string().trim().max(100, 'must be at most 100 characters').optional(),
  locale: z
    .string()
    .max(20)
    .regex(/^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$/, 'must be a language tag such as en or pt-BR')
    .nullish(),
});

/** The signed-in user's own profile: GET/PUT /api/users/me. */
export function createAccountModule(deps: AccountModuleDeps): HttpModule {
  const { db, guards } = deps;

  /**
   * Adds the profile fields of `body` to `update`, checking that a new username or email is free.
   * @throws AppError username_taken | email_taken | validation_error
   */
  async function addProfileChanges(
    update: ProfileUpdate,
    user: User,
    body: z.infer<typeof updateOwnAccountSchema>,
    settings: AppSettings,
  ): Promise<void> {
    if (body.username !== undefined && body.username.toLowerCase() !== user.username.toLowerCase()) {
      const other = await findUserByUsernameOrEmail(db, body.username);
      if (other && other.id !== user.id && other.username.toLowerCase() === body.username.toLowerCase()) {
        throw new AppError('username_taken', 409, 'This username is already taken', {
          fields: { username: 'is already taken' },
        });
      }
    }
    if (body.username !== undefined) update.username = body.username;
    if (body.email !== undefined) {
      if (body.email === null && settings.requireUserEmail === 'true') {
        throw new AppError('validation_error', 400, 'Invalid request: email: is required', {
          fields: { email: 'is required' },
        });
      }
      if (body.email?.toLowerCase() !== user.email?.toLowerCase()) {
        if (body.email) {
          const other = await findUserByUsernameOrEmail(db, body.email);
          if (other && other.id !== user.id && other.email?.toLowerCase() === body.email.toLowerCase()) {
            throw new AppError('email_taken', 409, 'This email address is already used by another account', {
              fields: { email: 'is already used' },
            });
          }
        }
        update.email = body.email;
        update.email_verified = settings.emailsVerified === 'true';
      }
    }
    if (body.firstName !== undefined) update.first_name = body.firstName;
    if (body.lastName !== undefined) update.last_name = body.lastName;
    if (body.displayName !== undefined) update.display_name = body.displayName;
  }

  return {
    async register(app: App) {
      const tags = ['My account'];

      app.get(
        '/api/users/me',
        {
          preValidation: guards.requireUser,
          schema: { tags, summary: 'The signed-in user', response: { 200: userDtoSchema } },
        },
        async (request) => deps.loadUserDto(request.auth!.user),
      );

      app.put(
        '/api/users/me',
        {
          preValidation: guards.requireUser,
          schema: {
            tags,
            summary: 'Edit my profile (only the locale when own-account editing is off or for LDAP users)',
            body: updateOwnAccountSchema,
            response: { 200: userDtoSchema },
          },
        },
        async (request) => {
          const user = request.auth!.user;
          const body = request.body;
          const settings = await deps.readSettings();
          const update: ProfileUpdate = { updated_at: deps.clock.now().toISOString() };
          if (body.locale !== undefined) update.locale = body.locale || null;
          // With own-account editing off (or for LDAP users) only the locale applies; like upstream, the other
          // fields are ignored rather than refused, so a client sending the whole profile still succeeds.
          const mayEdit = settings.allowOwnAccountEdit === 'true' && !user.ldapId;
          if (mayEdit) await addProfileChanges(update, user, body, settings);
          try {
            await updateUserProfile(db, user.id, update);
          } catch (error) {
            if (isUniqueViolation(error))
              throw new AppError('conflict', 409, 'The username or email is already used');
            throw error;
          }
          const updated = await findUserById(db, user.id);
          return deps.loadUserDto(updated!);
        },
      );

      await deps.extraRoutes?.(app);
    },
  };
}
