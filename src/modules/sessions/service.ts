import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.ts';
import type { Database } from '../../db/database.ts';
import { parseJson } from '../../db/database.ts';
import type { AuthContext, Authenticator } from '../../http/auth.ts';
import { addSeconds, type Clock } from '../../lib/clock.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import type { AppSettingsReader } from '../app-config/service.ts';
import { toUser } from '../users/repository.ts';
import {
  deleteExpiredSessions,
  deleteSessionById,
  deleteSessionByTokenHash,
  deleteSessionsOfUser,
  findLiveSessionByTokenHash,
  insertSession,
} from './repository.ts';

export interface CookieNames {
  readonly session: string;
  readonly reauthentication: string;
  readonly secure: boolean;
}

/** Upstream's cookie names; the `__Host-`/`__Secure-` prefixes need HTTPS, so plain-http localhost drops them. */
export function cookieNames(appUrl: string): CookieNames {
  const secure = appUrl.startsWith('https://');
  return {
    session: secure ? '__Host-access_token' : 'access_token',
    reauthentication: secure ? '__Secure-reauthentication_token' : 'reauthentication_token',
    secure,
  };
}

export interface IssuedSession {
  readonly sessionId: string;
  readonly expiresAt: Date;
}

export interface Sessions {
  readonly cookies: CookieNames;
  /**
   * Creates a database session for the user and sets its cookie. A session the request still carries (a
   * sign-in while signed in) is deleted, so the replaced cookie does not leave a live session behind.
   */
  issue(
    reply: FastifyReply,
    input: { userId: string; amr: readonly string[]; request: FastifyRequest },
    db?: Database,
  ): Promise<IssuedSession>;
  /** Reads the session cookie; the authenticator for browser calls. */
  authenticate: Authenticator;
  /** Ends the caller's session server side and clears the cookie. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  endAllOfUser(userId: string, db?: Database): Promise<void>;
  deleteExpired(): Promise<number>;
}

export function createSessions(deps: {
  db: Database;
  config: Config;
  settings: AppSettingsReader;
  clock: Clock;
}): Sessions {
  const cookies = cookieNames(deps.config.appUrl);

  return {
    cookies,

    async issue(reply, { userId, amr, request }, db = deps.db) {
      const settings = await deps.settings.read(db);
      const lifetimeSeconds = Number(settings.sessionDuration) * 60;
      const now = deps.clock.now();
      const expiresAt = addSeconds(now, lifetimeSeconds);
      const token = randomToken();
      const sessionId = randomUUID();
      const userAgent = request.headers['user-agent'];
      const previousToken = request.cookies?.[cookies.session];
      if (previousToken) await deleteSessionByTokenHash(db, sha256Hex(previousToken));
      await insertSession(db, {
        id: sessionId,
        token_hash: sha256Hex(token),
        user_id: userId,
        created_at: now.toISOString(),
        expires_at: expiresAt.toISOString(),
        auth_time: now.toISOString(),
        amr: JSON.stringify(amr),
        ip_address: request.ip ?? null,
        user_agent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : '',
      });
      reply.setCookie(cookies.session, token, {
        path: '/',
        httpOnly: true,
        secure: cookies.secure,
        sameSite: 'lax',
        maxAge: lifetimeSeconds,
      });
      return { sessionId, expiresAt };
    },

    async authenticate(request): Promise<AuthContext | null> {
      const token = request.cookies?.[cookies.session];
      if (!token) return null;
      const found = await findLiveSessionByTokenHash(
        deps.db,
        sha256Hex(token),
        deps.clock.now().toISOString(),
      );
      if (!found) return null;
      return {
        user: toUser(found.user),
        method: 'session',
        sessionId: found.session.id,
        authTime: new Date(found.session.auth_time),
        amr: parseJson<string[]>(found.session.amr, []),
      };
    },

    async end(request, reply) {
      const token = request.cookies?.[cookies.session];
      if (token) {
        const found = await findLiveSessionByTokenHash(
          deps.db,
          sha256Hex(token),
          deps.clock.now().toISOString(),
        );
        if (found) await deleteSessionById(deps.db, found.session.id);
      }
      reply.clearCookie(cookies.session, {
        path: '/',
        secure: cookies.secure,
        httpOnly: true,
        sameSite: 'lax',
      });
    },

    async endAllOfUser(userId, db = deps.db) {
      await deleteSessionsOfUser(db, userId);
    },

    async deleteExpired() {
      return deleteExpiredSessions(deps.db, deps.clock.now().toISOString());
    },
  };
}
