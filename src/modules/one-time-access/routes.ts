import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import type { Guards } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { type Clock, parseDurationSeconds } from '../../lib/clock.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { type AuditLog, auditContextOf } from '../audit/service.ts';
import type { Sessions } from '../sessions/service.ts';
import { findUserById, type User } from '../users/repository.ts';
import { type UserDto, userSchema as userDtoSchema } from '../users/schemas.ts';
import { consumeOneTimeAccessToken, deleteExpiredOneTimeAccessTokens } from './repository.ts';
import { createOneTimeAccessToken, normalizeCode } from './service.ts';

export interface OneTimeAccessModuleDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly sessions: Sessions;
  readonly guards: Guards;
  readonly loadUserDto: (user: User, db?: Database) => Promise<UserDto>;
}

const defaultTtlSeconds = 15 * 60;
const exchangeRateLimit = { rateLimit: { max: 5, timeWindow: '1 minute' } };
const tokenInvalid = () =>
  new AppError('token_invalid', 401, 'This login code is invalid, expired or was already used');

/** Admin-created login links (account recovery) and their exchange for a session. */
export function createOneTimeAccessModule(deps: OneTimeAccessModuleDeps) {
  const { db, guards, sessions, audit } = deps;

  const module: HttpModule = {
    register(app: App) {
      const tags = ['One-time access'];

      app.post(
        '/api/users/:id/one-time-access-token',
        {
          preValidation: guards.requireAdmin,
          schema: {
            tags,
            summary: 'Create a single-use login code for a user (default lifetime 15m)',
            params: z.object({ id: z.string().max(100) }),
            body: z
              .object({ ttl: z.union([z.string().max(32), z.number().positive()]).optional() })
              .nullish(),
            response: { 201: z.object({ token: z.string() }) },
          },
        },
        async (request, reply) => {
          const ttl = request.body?.ttl;
          const ttlSeconds = ttl === undefined || ttl === '' ? defaultTtlSeconds : parseDurationSeconds(ttl);
          if (!ttlSeconds) {
            throw new AppError(
              'validation_error',
              400,
              'Invalid request: ttl: expected a duration such as "15m"',
              {
                fields: { ttl: 'expected a duration such as "15m"' },
              },
            );
          }
          const user = await findUserById(db, request.params.id);
          if (!user) throw new AppError('user_not_found', 404, 'No such user');
          const { token } = await createOneTimeAccessToken(deps, user.id, ttlSeconds);
          return reply.code(201).send({ token });
        },
      );

      app.post(
        '/api/one-time-access-token/:token',
        {
          config: exchangeRateLimit,
          schema: {
            tags,
            summary: 'Sign in with a login code',
            params: z.object({ token: z.string().min(1).max(100) }),
            response: { 200: userDtoSchema },
          },
        },
        async (request, reply) =>
          db.transaction().execute(async (trx) => {
            const row = await consumeOneTimeAccessToken(trx, sha256Hex(normalizeCode(request.params.token)));
            if (!row) throw tokenInvalid();
            if (row.expires_at <= deps.clock.now().toISOString()) {
              throw new AppError('token_expired', 401, 'This login code has expired; ask for a new one');
            }
            const user = await findUserById(trx, row.user_id);
            if (!user) throw tokenInvalid();
            if (user.disabled) throw new AppError('user_disabled', 403, 'This account is disabled');
            await sessions.issue(reply, { userId: user.id, amr: ['otp'], request }, trx);
            await audit.record({ event: 'TOKEN_SIGN_IN', userId: user.id, ...auditContextOf(request) }, trx);
            return deps.loadUserDto(user, trx);
          }),
      );
    },
  };

  return {
    ...module,
    /** Deletes expired login codes; a periodic job. @returns rows deleted */
    async deleteExpired(): Promise<number> {
      return deleteExpiredOneTimeAccessTokens(db, deps.clock.now().toISOString());
    },
  };
}

export type OneTimeAccessModule = ReturnType<typeof createOneTimeAccessModule>;
