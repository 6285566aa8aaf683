import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppSettings } from '../../config/app-settings.ts';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation, parseJson } from '../../db/database.ts';
import type { Guards } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { addSeconds, type Clock, parseDurationSeconds } from '../../lib/clock.ts';
import { randomCode } from '../../lib/crypto.ts';
import { type AuditLog, auditContextOf } from '../audit/service.ts';
import type { Sessions } from '../sessions/service.ts';
import { countUsers, type User } from '../users/repository.ts';
import { type UserDto, userSchema as userDtoSchema } from '../users/schemas.ts';
import { createAccount } from './accounts.ts';
import {
  countSignupTokenUse,
  deleteSignupToken,
  findSignupTokenById,
  hasSetupMarker,
  insertSetupMarker,
  insertSignupToken,
  listExistingGroups,
  listGroupIdsOfSignupTokens,
  listSignupTokens,
} from './repository.ts';
import {
  accountInputSchema,
  createSignupTokenSchema,
  listQuerySchema,
  signupInputSchema,
  signupTokenDtoSchema,
} from './schemas.ts';

export interface SignupModuleDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly readSettings: (db?: Database) => Promise<AppSettings>;
  readonly audit: AuditLog;
  readonly sessions: Sessions;
  readonly guards: Guards;
  readonly loadUserDto: (user: User, db?: Database) => Promise<UserDto>;
}

const signupRateLimit = { rateLimit: { max: 10, timeWindow: '1 minute' } };
const setupNotAvailable = () =>
  new AppError('setup_not_available', 404, 'Setup is done: an account already exists. Sign in instead.');

/**
 * Setup runs once: it is done as soon as any account exists or the first admin was ever created (the marker
 * stays even if every account is deleted later), so GET and POST /api/signup/setup always agree.
 */
async function isSetupDone(db: Database): Promise<boolean> {
  return (await countUsers(db)) > 0 || (await hasSetupMarker(db));
}

/** First-admin setup, self-service signup (open or with a token) and the admin's signup tokens. */
export function createSignupModule(deps: SignupModuleDeps): HttpModule {
  const { db, guards, sessions, audit } = deps;

  async function toTokenDtos(rows: Awaited<ReturnType<typeof listSignupTokens>>) {
    const links = await listGroupIdsOfSignupTokens(
      db,
      rows.map((row) => row.id),
    );
    const groups = await listExistingGroups(db, [...new Set(links.map((link) => link.user_group_id))]);
    return rows.map((row) => ({
      id: row.id,
      token: row.token,
      expiresAt: row.expires_at,
      usageLimit: row.usage_limit,
      usageCount: row.usage_count,
      createdAt: row.created_at,
      userGroups: groups
        .filter((group) =>
          links.some((link) => link.signup_token_id === row.id && link.user_group_id === group.id),
        )
        .map((group) => ({
          id: group.id,
          friendlyName: group.friendly_name,
          name: group.name,
          createdAt: group.created_at,
          ldapId: group.ldap_id,
        })),
    }));
  }

  return {
    register(app: App) {
      const tags = ['Signup'];

      app.get(
        '/api/signup/setup',
        { schema: { tags, summary: 'Whether first-admin setup is still possible (204) or done (404)' } },
        async (_request, reply) => {
          if (await isSetupDone(db)) throw setupNotAvailable();
          return reply.code(204).send();
        },
      );

      app.post(
        '/api/signup/setup',
        {
          config: signupRateLimit,
          schema: {
            tags,
            summary: 'Create the first account, an admin, and sign it in',
            body: accountInputSchema,
            response: { 200: userDtoSchema },
          },
        },
        async (request, reply) => {
          const settings = await deps.readSettings();
          const now = deps.clock.now().toISOString();
          try {
            return await db.transaction().execute(async (trx) => {
              if (await isSetupDone(trx)) throw setupNotAvailable();
              await insertSetupMarker(trx, now);
              const user = await createAccount(trx, request.body, {
                isAdmin: true,
                groupIds: [],
                settings,
                now,
              });
              await sessions.issue(reply, { userId: user.id, amr: [], request }, trx);
              await audit.record(
                {
                  event: 'ACCOUNT_CREATED',
                  userId: user.id,
                  ...auditContextOf(request),
                  data: { method: 'setup' },
                },
                trx,
              );
              return deps.loadUserDto(user, trx);
            });
          } catch (error) {
            // The concurrent loser of two setups collides on the marker's primary key.
            if (isUniqueViolation(error)) throw setupNotAvailable();
            throw error;
          }
        },
      );

      app.post(
        '/api/signup',
        {
          config: signupRateLimit,
          schema: {
            tags,
            summary: 'Create an account (open signup, or with a signup token) and sign it in',
            body: signupInputSchema,
            response: { 201: userDtoSchema },
          },
        },
        async (request, reply) => {
          const settings = await deps.readSettings();
          const now = deps.clock.now().toISOString();
          const { token, ...input } = request.body;
          if (!token && settings.allowUserSignups !== 'open') {
            throw new AppError('signup_disabled', 403, 'Signing up needs an invitation link here');
          }
          const dto = await db.transaction().execute(async (trx) => {
            const tokenId = token ? await countSignupTokenUse(trx, token, now) : undefined;
            if (token && !tokenId) {
              throw new AppError(
                'signup_token_invalid',
                400,
                'This invitation link is invalid, expired or already used up',
              );
            }
            const tokenGroupIds = tokenId
              ? (await listGroupIdsOfSignupTokens(trx, [tokenId])).map((link) => link.user_group_id)
              : [];
            const defaultGroupIds = parseJson<unknown[]>(settings.signupDefaultUserGroupIDs, []).filter(
              (id): id is string => typeof id === 'string',
            );
            const user = await createAccount(trx, input, {
              isAdmin: false,
              groupIds: [...tokenGroupIds, ...defaultGroupIds],
              settings,
              now,
            });
            await sessions.issue(reply, { userId: user.id, amr: [], request }, trx);
            await audit.record(
              {
                event: 'ACCOUNT_CREATED',
                userId: user.id,
                ...auditContextOf(request),
                data: tokenId ? { signupToken: tokenId } : { method: 'open_signup' },
              },
              trx,
            );
            return deps.loadUserDto(user, trx);
          });
          return reply.code(201).send(dto);
        },
      );

      app.post(
        '/api/signup-tokens',
        {
          preValidation: guards.requireAdmin,
          schema: {
            tags,
            summary: 'Create a signup token (invitation link)',
            body: createSignupTokenSchema,
            response: { 201: signupTokenDtoSchema },
          },
        },
        async (request, reply) => {
          const ttlSeconds = parseDurationSeconds(request.body.ttl);
          if (!ttlSeconds) {
            throw new AppError(
              'validation_error',
              400,
              'Invalid request: ttl: expected a duration such as "24h"',
              {
                fields: { ttl: 'expected a duration such as "24h"' },
              },
            );
          }
          const groupIds = [...new Set(request.body.userGroupIds)];
          const found = await listExistingGroups(db, groupIds);
          if (found.length !== groupIds.length) {
            throw new AppError('group_not_found', 400, 'One of the user groups does not exist', {
              fields: { userGroupIds: 'contains an unknown group' },
            });
          }
          const now = deps.clock.now();
          const row = {
            id: randomUUID(),
            token: randomCode(16),
            created_at: now.toISOString(),
            expires_at: addSeconds(now, ttlSeconds).toISOString(),
            usage_limit: request.body.usageLimit,
            usage_count: 0,
          };
          await db.transaction().execute((trx) => insertSignupToken(trx, row, groupIds));
          const [dto] = await toTokenDtos([row]);
          return reply.code(201).send(dto);
        },
      );

      app.get(
        '/api/signup-tokens',
        {
          preValidation: guards.requireAdmin,
          schema: {
            tags,
            summary: 'List signup tokens',
            querystring: listQuerySchema,
            response: {
              200: z.object({
                data: z.array(signupTokenDtoSchema),
                pagination: z.object({
                  totalPages: z.number(),
                  totalItems: z.number(),
                  currentPage: z.number(),
                  itemsPerPage: z.number(),
                }),
              }),
            },
          },
        },
        async (request) => {
          const page = request.query['pagination[page]'];
          const limit = request.query['pagination[limit]'];
          const rows = await listSignupTokens(db);
          return {
            data: await toTokenDtos(rows.slice((page - 1) * limit, page * limit)),
            pagination: {
              totalPages: Math.ceil(rows.length / limit),
              totalItems: rows.length,
              currentPage: page,
              itemsPerPage: limit,
            },
          };
        },
      );

      app.delete(
        '/api/signup-tokens/:id',
        {
          preValidation: guards.requireAdmin,
          schema: { tags, summary: 'Revoke a signup token', params: z.object({ id: z.string().max(100) }) },
        },
        async (request, reply) => {
          if (
            !(await findSignupTokenById(db, request.params.id)) ||
            !(await deleteSignupToken(db, request.params.id))
          ) {
            throw new AppError('not_found', 404, 'No such signup token');
          }
          return reply.code(204).send();
        },
      );
    },
  };
}
