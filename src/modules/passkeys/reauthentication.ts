import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../http/errors.ts';
import { addSeconds, type Clock } from '../../lib/clock.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import type { CookieNames } from '../sessions/service.ts';
import { findLiveReauthenticationToken, insertReauthenticationToken } from './repository.ts';

export const reauthenticationLifetimeSeconds = 180;

/** Short-lived proof of a fresh passkey assertion, held in an HttpOnly cookie and stored hashed. */
export function createReauthentication(deps: { db: Database; clock: Clock; cookies: CookieNames }) {
  const cookieName = deps.cookies.reauthentication;

  /** The caller's live token: it must belong to the signed-in user and to this very session. */
  async function findTokenOf(request: FastifyRequest) {
    const token = request.cookies?.[cookieName];
    const auth = request.auth;
    if (!token || !auth?.sessionId) return undefined;
    return findLiveReauthenticationToken(deps.db, {
      tokenHash: sha256Hex(token),
      userId: auth.user.id,
      sessionId: auth.sessionId,
      now: deps.clock.now().toISOString(),
    });
  }

  return {
    async issue(
      reply: FastifyReply,
      input: { userId: string; sessionId: string },
      db: Database = deps.db,
    ): Promise<void> {
      const token = randomToken();
      const now = deps.clock.now();
      await insertReauthenticationToken(db, {
        id: randomUUID(),
        token_hash: sha256Hex(token),
        user_id: input.userId,
        session_id: input.sessionId,
        created_at: now.toISOString(),
        expires_at: addSeconds(now, reauthenticationLifetimeSeconds).toISOString(),
      });
      reply.setCookie(cookieName, token, {
        path: '/',
        httpOnly: true,
        secure: deps.cookies.secure,
        sameSite: 'lax',
        maxAge: reauthenticationLifetimeSeconds,
      });
    },

    /** When the caller last reauthenticated with a passkey (a live reauthentication cookie), if at all. */
    async recentReauthenticationTime(request: FastifyRequest): Promise<Date | undefined> {
      const found = await findTokenOf(request);
      return found ? new Date(found.created_at) : undefined;
    },

    /**
     * A guard for sensitive actions, after `requireSession`: the caller must have reauthenticated with a
     * passkey in the last three minutes. @throws AppError reauthentication_required
     */
    async requireRecentReauthentication(request: FastifyRequest): Promise<void> {
      if (!(await findTokenOf(request))) {
        throw new AppError(
          'reauthentication_required',
          403,
          'Confirm it is you with your passkey first, then try again',
        );
      }
    },
  };
}

export type Reauthentication = ReturnType<typeof createReauthentication>;
