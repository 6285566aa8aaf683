import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/database.ts';
import type { Guards } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { addSeconds, type Clock } from '../../lib/clock.ts';
import { constantTimeEqual, randomToken, sha256Hex } from '../../lib/crypto.ts';
import { generateDeviceLoginCode, isDeviceLoginCode, normalizeUserCode } from '../../lib/user-codes.ts';
import { type AuditLog, auditContextOf } from '../audit/service.ts';
import type { Sessions } from '../sessions/service.ts';
import type { User } from '../users/repository.ts';
import { type UserDto, userSchema as userDtoSchema } from '../users/schemas.ts';
import {
  consumeDeviceLoginRequest,
  type DeviceLoginRequest,
  decideDeviceLoginRequest,
  deleteDeviceLoginRequestsBefore,
  findDeviceLoginRequestByCode,
  findDeviceLoginRequestById,
  insertDeviceLoginRequest,
} from './repository.ts';

export interface DeviceLoginModuleDeps {
  readonly db: Database;
  readonly appUrl: string;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly sessions: Sessions;
  readonly guards: Guards;
  readonly requireRecentReauthentication: (request: FastifyRequest) => Promise<void>;
  readonly findUser: (id: string, db: Database) => Promise<User | undefined>;
  readonly loadUserDto: (user: User, db?: Database) => Promise<UserDto>;
}

const lifetimeSeconds = 15 * 60;
const pollIntervalSeconds = 3;
const maxWaitSeconds = 25;
/** How often a waiting exchange looks at the database (the decision may come through another instance). */
const recheckMs = 1000;

const rateLimits = {
  create: { rateLimit: { max: 5, timeWindow: '1 minute' } },
  exchange: { rateLimit: { max: 40, timeWindow: '1 minute' } },
  verification: { rateLimit: { max: 20, timeWindow: '1 minute' } },
};

const createdSchema = z.object({
  id: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  verificationUriComplete: z.string(),
  expiresAt: z.string(),
  interval: z.number(),
});
const codeBody = z.object({ code: z.string().min(1, 'is required').max(32) });
const requestInfoSchema = z.object({
  userCode: z.string(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  country: z.string().nullable(),
  city: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
});

const notFound = () =>
  new AppError(
    'device_login_not_found',
    404,
    'No sign-in request has this code; check the code on the other device',
  );
const expired = () =>
  new AppError(
    'device_login_expired',
    410,
    'This sign-in request has expired or was already used; start a new one',
  );
const alreadyDecided = () =>
  new AppError('device_login_already_decided', 409, 'This sign-in request was already approved or denied');

/**
 * "Sign in with another device" (upstream `/api/device-login/*`): a signed-out browser shows a code and a QR
 * code, a signed-in browser approves it after a fresh passkey check, and the first browser gets a session.
 */
export function createDeviceLoginModule(deps: DeviceLoginModuleDeps): HttpModule & {
  deleteExpired(): Promise<number>;
} {
  const { db, clock, guards } = deps;
  const cookieName = deps.sessions.cookies.secure ? '__Secure-device_login_token' : 'device_login_token';
  const exchangePath = (id: string) => `/api/device-login/requests/${id}/exchange`;
  const isExpired = (row: DeviceLoginRequest) => row.expires_at <= clock.now().toISOString();

  /** Reads the request named by the path and checks that this browser is the one that created it. */
  async function loadOwnRequest(request: FastifyRequest, id: string): Promise<DeviceLoginRequest> {
    const row = await findDeviceLoginRequestById(db, id);
    if (!row) throw notFound();
    const token = request.cookies?.[cookieName];
    if (!token || !constantTimeEqual(sha256Hex(token), row.token_hash)) {
      throw new AppError('device_login_invalid', 401, 'This sign-in request belongs to another browser');
    }
    return row;
  }

  /** Re-reads the request until it is decided, expires, the client goes away or the wait is over. */
  async function waitForDecision(request: FastifyRequest, row: DeviceLoginRequest, waitSeconds: number) {
    const untilExpiry = new Date(row.expires_at).getTime() - clock.now().getTime();
    const deadline = Date.now() + Math.max(0, Math.min(waitSeconds * 1000, untilExpiry));
    let current: DeviceLoginRequest | undefined = row;
    while (current?.status === 'pending' && Date.now() < deadline && !request.socket?.destroyed) {
      await sleep(Math.min(recheckMs, deadline - Date.now()));
      current = await findDeviceLoginRequestById(db, row.id);
    }
    return current;
  }

  async function signIn(request: FastifyRequest, reply: FastifyReply, row: DeviceLoginRequest) {
    return db.transaction().execute(async (trx) => {
      // Single use: of two exchanges racing on one approval, only one finds it still approved.
      if (!row.user_id || !(await consumeDeviceLoginRequest(trx, row.id))) throw expired();
      const user = await deps.findUser(row.user_id, trx);
      if (!user) throw expired();
      if (user.disabled) throw new AppError('user_disabled', 403, 'This account is disabled');
      await deps.sessions.issue(reply, { userId: user.id, amr: ['otp'], request }, trx);
      await deps.audit.record({ event: 'REMOTE_SIGN_IN', userId: user.id, ...auditContextOf(request) }, trx);
      reply.clearCookie(cookieName, { path: exchangePath(row.id) });
      return deps.loadUserDto(user, trx);
    });
  }

  return {
    deleteExpired() {
      // Kept an hour past expiry, so a late poll still gets "expired" rather than "not found".
      return deleteDeviceLoginRequestsBefore(db, addSeconds(clock.now(), -3600).toISOString());
    },

    register(app: App) {
      const tags = ['Sign in with another device'];

      app.post(
        '/api/device-login/requests',
        {
          config: rateLimits.create,
          schema: {
            tags,
            summary: 'Start a sign-in request; the response sets a cookie that binds it to this browser',
            response: { 201: createdSchema },
          },
        },
        async (request, reply) => {
          const now = clock.now();
          const token = randomToken();
          const context = auditContextOf(request);
          const row: DeviceLoginRequest = {
            id: randomUUID(),
            user_code: generateDeviceLoginCode(),
            token_hash: sha256Hex(token),
            status: 'pending',
            user_id: null,
            ip_address: context.ipAddress,
            user_agent: context.userAgent || null,
            created_at: now.toISOString(),
            expires_at: addSeconds(now, lifetimeSeconds).toISOString(),
            decided_at: null,
          };
          try {
            await insertDeviceLoginRequest(db, row);
          } catch (error) {
            if (!isUniqueViolation(error)) throw error;
            // A live code was drawn twice (1 in billions): draw again once.
            row.user_code = generateDeviceLoginCode();
            await insertDeviceLoginRequest(db, row);
          }
          reply.setCookie(cookieName, token, {
            path: exchangePath(row.id),
            httpOnly: true,
            secure: deps.sessions.cookies.secure,
            sameSite: 'lax',
            maxAge: lifetimeSeconds,
          });
          return reply.code(201).send({
            id: row.id,
            userCode: row.user_code,
            verificationUri: `${deps.appUrl}/device`,
            verificationUriComplete: `${deps.appUrl}/device?code=${row.user_code}`,
            expiresAt: row.expires_at,
            interval: pollIntervalSeconds,
          });
        },
      );

      app.post(
        '/api/device-login/requests/:id/exchange',
        {
          config: rateLimits.exchange,
          schema: {
            tags,
            summary: `Wait (up to ${maxWaitSeconds} s, or \`timeout\` seconds) for the decision: 202 while pending, 200 with the user and a session once approved`,
            params: z.object({ id: z.string().max(64) }),
            querystring: z.object({
              timeout: z.coerce.number().int().min(0).max(maxWaitSeconds).optional(),
            }),
            response: { 200: userDtoSchema, 202: z.object({ status: z.literal('pending') }) },
          },
        },
        async (request, reply) => {
          const row = await loadOwnRequest(request, request.params.id);
          const current = await waitForDecision(request, row, request.query.timeout ?? maxWaitSeconds);
          if (!current || current.status === 'consumed' || isExpired(current)) throw expired();
          if (current.status === 'denied') {
            throw new AppError(
              'device_login_denied',
              403,
              'The sign-in request was denied on the other device',
            );
          }
          if (current.status === 'pending') return reply.code(202).send({ status: 'pending' });
          return reply.code(200).send(await signIn(request, reply, current));
        },
      );

      /** The pending request a code names. @throws AppError device_login_not_found / _expired / _already_decided */
      async function findPending(code: string): Promise<DeviceLoginRequest> {
        const userCode = normalizeUserCode(code);
        const row = isDeviceLoginCode(userCode)
          ? await findDeviceLoginRequestByCode(db, userCode)
          : undefined;
        if (!row) throw notFound();
        if (isExpired(row) || row.status === 'consumed') throw expired();
        if (row.status !== 'pending') throw alreadyDecided();
        return row;
      }

      app.post(
        '/api/device-login/verification',
        {
          preValidation: guards.requireSession,
          config: rateLimits.verification,
          schema: {
            tags,
            summary: 'Show which device asks to sign in with a code (before approving it)',
            body: codeBody,
            response: { 200: requestInfoSchema },
          },
        },
        async (request) => {
          const row = await findPending(request.body.code);
          return {
            userCode: row.user_code,
            ipAddress: row.ip_address,
            userAgent: row.user_agent,
            country: null,
            city: null,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
          };
        },
      );

      app.post(
        '/api/device-login/verification/decision',
        {
          preValidation: [guards.requireSession, deps.requireRecentReauthentication],
          config: rateLimits.verification,
          schema: {
            tags,
            summary: 'Approve or deny a sign-in request (needs a recent passkey reauthentication)',
            body: codeBody.extend({ decision: z.enum(['approve', 'deny']) }),
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          const row = await findPending(request.body.code);
          const decided = await decideDeviceLoginRequest(db, {
            id: row.id,
            status: request.body.decision === 'approve' ? 'approved' : 'denied',
            userId: request.auth!.user.id,
            now: clock.now().toISOString(),
          });
          if (!decided) throw alreadyDecided();
          return reply.code(204).send(null);
        },
      );
    },
  };
}
