import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppSettings } from '../../config/app-settings.ts';
import type { Database } from '../../db/database.ts';
import type { Guards } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import type { App, HttpModule } from '../../http/server.ts';
import type { Clock } from '../../lib/clock.ts';
import { type AuditLog, auditContextOf } from '../audit/service.ts';
import type { Sessions } from '../sessions/service.ts';
import type { User } from '../users/repository.ts';
import { type UserDto, userSchema as userDtoSchema } from '../users/schemas.ts';
import { challengeLifetimeSeconds, createCeremonies, relyingPartyOf } from './ceremonies.ts';
import { createReauthentication } from './reauthentication.ts';
import {
  deleteCredentialOfUser,
  deleteExpiredChallenges,
  deleteExpiredReauthenticationTokens,
  deleteReauthenticationTokensOfUser,
  findCredentialOfUser,
  listCredentialsOfUser,
  renameCredential,
} from './repository.ts';
import {
  authenticationResponseSchema,
  creationOptionsSchema,
  passkeyDtoSchema,
  registrationResponseSchema,
  renamePasskeySchema,
  requestOptionsSchema,
  toPasskeyDto,
} from './schemas.ts';

export interface PasskeysModuleDeps {
  readonly db: Database;
  readonly appUrl: string;
  readonly clock: Clock;
  readonly readSettings: (db?: Database) => Promise<AppSettings>;
  readonly audit: AuditLog;
  readonly sessions: Sessions;
  readonly guards: Guards;
  readonly loadUserDto: (user: User, db?: Database) => Promise<UserDto>;
}

/** Per-IP limits on the routes that check a passkey (ignored when DISABLE_RATE_LIMITING is set). */
const loginRateLimit = { rateLimit: { max: 10, timeWindow: '1 minute' } };
const reauthenticationRateLimit = { rateLimit: { max: 5, timeWindow: '1 minute' } };
/** Per-IP limits on the routes that store a challenge row, so nobody can fill the table. */
const signInChallengeRateLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } };
const registrationChallengeRateLimit = { rateLimit: { max: 10, timeWindow: '1 minute' } };

const idParams = z.object({ id: z.string().min(1).max(100) });

export function createPasskeysModule(deps: PasskeysModuleDeps) {
  const { db, guards, sessions, audit } = deps;
  const secure = sessions.cookies.secure;
  const challengeCookie = secure ? '__Host-session' : 'session';
  const ceremonies = createCeremonies({
    db,
    clock: deps.clock,
    relyingParty: relyingPartyOf(deps.appUrl),
    readSettings: deps.readSettings,
  });
  const reauthentication = createReauthentication({ db, clock: deps.clock, cookies: sessions.cookies });

  /** The challenge row id travels in a short-lived HttpOnly cookie, tying the ceremony to this browser. */
  function setChallengeCookie(reply: FastifyReply, challengeId: string) {
    reply.setCookie(challengeCookie, challengeId, {
      path: '/',
      httpOnly: true,
      secure,
      sameSite: 'lax',
      maxAge: challengeLifetimeSeconds,
    });
  }
  function takeChallengeCookie(request: FastifyRequest, reply: FastifyReply): string | undefined {
    reply.clearCookie(challengeCookie, { path: '/', httpOnly: true, secure, sameSite: 'lax' });
    return request.cookies?.[challengeCookie];
  }

  function checkUserEnabled(user: User) {
    if (user.disabled) throw new AppError('user_disabled', 403, 'This account is disabled');
  }

  const module: HttpModule = {
    register(app: App) {
      const tags = ['Passkeys'];

      app.get(
        '/api/webauthn/register/start',
        {
          config: registrationChallengeRateLimit,
          preValidation: guards.requireSession,
          schema: {
            tags,
            summary: 'Options for creating a passkey',
            response: { 200: creationOptionsSchema },
          },
        },
        async (request, reply) => {
          const { options, challengeId } = await ceremonies.startRegistration(request.auth!.user);
          setChallengeCookie(reply, challengeId);
          return { ...options };
        },
      );

      app.post(
        '/api/webauthn/register/finish',
        {
          preValidation: guards.requireSession,
          schema: {
            tags,
            summary: 'Store a new passkey from the authenticator response',
            body: registrationResponseSchema,
            response: { 200: passkeyDtoSchema },
          },
        },
        async (request, reply) => {
          const user = request.auth!.user;
          const challenge = await ceremonies.takeChallenge(
            takeChallengeCookie(request, reply),
            'registration',
          );
          const credential = await db.transaction().execute(async (trx) => {
            const row = await ceremonies.finishRegistration(trx, user, challenge, request.body);
            await audit.record(
              {
                event: 'PASSKEY_ADDED',
                userId: user.id,
                ...auditContextOf(request),
                data: { credentialID: row.credential_id, passkeyName: row.name },
              },
              trx,
            );
            return row;
          });
          return toPasskeyDto(credential);
        },
      );

      app.get(
        '/api/webauthn/login/start',
        {
          config: signInChallengeRateLimit,
          schema: {
            tags,
            summary: 'Options for signing in (or reauthenticating) with a passkey',
            response: { 200: requestOptionsSchema },
          },
        },
        async (_request, reply) => {
          const { options, challengeId } = await ceremonies.startAuthentication();
          setChallengeCookie(reply, challengeId);
          return { ...options };
        },
      );

      app.post(
        '/api/webauthn/login/finish',
        {
          config: loginRateLimit,
          schema: {
            tags,
            summary: 'Sign in with a passkey assertion',
            body: authenticationResponseSchema,
            response: { 200: userDtoSchema },
          },
        },
        async (request, reply) => {
          const challenge = await ceremonies.takeChallenge(
            takeChallengeCookie(request, reply),
            'authentication',
          );
          return db.transaction().execute(async (trx) => {
            const { user } = await ceremonies.verifyAssertion(trx, challenge, request.body);
            checkUserEnabled(user);
            await sessions.issue(reply, { userId: user.id, amr: ['phr'], request }, trx);
            await audit.record({ event: 'SIGN_IN', userId: user.id, ...auditContextOf(request) }, trx);
            return deps.loadUserDto(user, trx);
          });
        },
      );

      app.post(
        '/api/webauthn/logout',
        { schema: { tags, summary: 'Sign out: end the session and clear its cookie' } },
        async (request, reply) => {
          await sessions.end(request, reply);
          return reply.code(204).send();
        },
      );

      app.post(
        '/api/webauthn/reauthenticate',
        {
          config: reauthenticationRateLimit,
          preValidation: guards.requireSession,
          schema: {
            tags,
            summary: 'Prove presence again with a passkey; sets a reauthentication cookie for 3 minutes',
            body: authenticationResponseSchema.nullish(),
          },
        },
        async (request, reply) => {
          const auth = request.auth!;
          const challengeId = takeChallengeCookie(request, reply);
          const challenge = request.body
            ? await ceremonies.takeChallenge(challengeId, 'authentication')
            : null;
          await db.transaction().execute(async (trx) => {
            if (request.body && challenge) {
              const { user } = await ceremonies.verifyAssertion(trx, challenge, request.body);
              if (user.id !== auth.user.id) {
                throw new AppError(
                  'passkey_verification_failed',
                  400,
                  'This passkey belongs to another account',
                );
              }
            } else if (!signedInWithPasskeyJustNow(auth.amr, auth.authTime, deps.clock.now())) {
              throw new AppError(
                'reauthentication_required',
                400,
                'Send a passkey assertion: the sign-in is not recent enough',
              );
            }
            await reauthentication.issue(reply, { userId: auth.user.id, sessionId: auth.sessionId! }, trx);
          });
          return reply.code(204).send();
        },
      );

      app.get(
        '/api/webauthn/credentials',
        {
          preValidation: guards.requireUser,
          schema: { tags, summary: 'My passkeys', response: { 200: z.array(passkeyDtoSchema) } },
        },
        async (request) => (await listCredentialsOfUser(db, request.auth!.user.id)).map(toPasskeyDto),
      );

      app.patch(
        '/api/webauthn/credentials/:id',
        {
          preValidation: guards.requireUser,
          schema: {
            tags,
            summary: 'Rename one of my passkeys',
            params: idParams,
            body: renamePasskeySchema,
            response: { 200: passkeyDtoSchema },
          },
        },
        async (request) => {
          const userId = request.auth!.user.id;
          if (!(await renameCredential(db, userId, request.params.id, request.body.name)))
            throw passkeyNotFound();
          const row = await findCredentialOfUser(db, userId, request.params.id);
          if (!row) throw passkeyNotFound();
          return toPasskeyDto(row);
        },
      );

      app.delete(
        '/api/webauthn/credentials/:id',
        {
          preValidation: [guards.requireSession, reauthentication.requireRecentReauthentication],
          schema: {
            tags,
            summary: 'Delete one of my passkeys (needs a recent reauthentication)',
            params: idParams,
          },
        },
        async (request, reply) => {
          const userId = request.auth!.user.id;
          await db.transaction().execute(async (trx) => {
            const row = await findCredentialOfUser(trx, userId, request.params.id);
            if (!row || !(await deleteCredentialOfUser(trx, userId, row.id))) throw passkeyNotFound();
            await audit.record(
              {
                event: 'PASSKEY_REMOVED',
                userId,
                ...auditContextOf(request),
                data: { credentialID: row.credential_id, passkeyName: row.name },
              },
              trx,
            );
          });
          return reply.code(204).send();
        },
      );
    },
  };

  return {
    ...module,
    /** For sensitive actions elsewhere (e.g. consent for clients that require reauthentication). */
    requireRecentReauthentication: reauthentication.requireRecentReauthentication,
    recentReauthenticationTime: reauthentication.recentReauthenticationTime,
    /** Ends every session and reauthentication of a user, e.g. when an admin disables them. */
    async endAllSessionsOfUser(userId: string, trx: Database = db): Promise<void> {
      await sessions.endAllOfUser(userId, trx);
      await deleteReauthenticationTokensOfUser(trx, userId);
    },
    /** Deletes expired ceremony challenges and reauthentication tokens; a periodic job. @returns rows deleted */
    async deleteExpired(): Promise<number> {
      const now = deps.clock.now().toISOString();
      return (await deleteExpiredChallenges(db, now)) + (await deleteExpiredReauthenticationTokens(db, now));
    },
  };
}

export type PasskeysModule = ReturnType<typeof createPasskeysModule>;

const passkeyNotFound = () => new AppError('passkey_not_found', 404, 'No such passkey on your account');

/** A passkey sign-in less than a minute ago counts as a reauthentication (upstream does the same). */
function signedInWithPasskeyJustNow(amr: readonly string[], authTime: Date | undefined, now: Date): boolean {
  return amr.includes('phr') && authTime !== undefined && now.getTime() - authTime.getTime() < 60_000;
}
