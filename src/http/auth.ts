import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../modules/users/repository.ts';
import { AppError } from './errors.ts';

export type AuthMethod = 'session' | 'api_key' | 'static_api_key';

/** Who is calling. Set on `request.auth` by the authenticators, in order, the first that recognises the caller. */
export interface AuthContext {
  readonly user: User;
  readonly method: AuthMethod;
  readonly sessionId?: string;
  /** When the user last proved presence (session sign-in time). */
  readonly authTime?: Date;
  /** `phr` for a passkey, `otp` for a login code. */
  readonly amr: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

/** Recognises a caller from a request (session cookie, API key, ...), or returns null. */
export type Authenticator = (request: FastifyRequest) => Promise<AuthContext | null>;

export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Guards {
  /** Sets `request.auth` when a caller is recognised; never refuses. */
  readonly optionalUser: Guard;
  /** A signed-in user or an API key. */
  readonly requireUser: Guard;
  /** A signed-in user with a browser session; API keys are refused. */
  readonly requireSession: Guard;
  /** An admin, by session or API key. */
  readonly requireAdmin: Guard;
}

export function createGuards(authenticators: () => readonly Authenticator[]): Guards {
  const identify = async (request: FastifyRequest): Promise<AuthContext | null> => {
    if (request.auth !== undefined && request.auth !== null) return request.auth;
    for (const authenticate of authenticators()) {
      const context = await authenticate(request);
      if (context) {
        request.auth = context;
        return context;
      }
    }
    request.auth = null;
    return null;
  };
  const requireUser = async (request: FastifyRequest) => {
    const context = await identify(request);
    if (!context) throw new AppError('not_signed_in', 401, 'You are not signed in');
    if (context.user.disabled) throw new AppError('user_disabled', 403, 'This account is disabled');
  };
  return {
    async optionalUser(request) {
      const context = await identify(request);
      if (context?.user.disabled) request.auth = null;
    },
    requireUser,
    async requireSession(request) {
      await requireUser(request);
      if (request.auth?.method !== 'session') {
        throw new AppError(
          'api_key_auth_not_allowed',
          403,
          'This action needs a browser session, not an API key',
        );
      }
    },
    async requireAdmin(request) {
      await requireUser(request);
      if (!request.auth?.user.isAdmin)
        throw new AppError('admin_required', 403, 'You need to be an admin to do this');
    },
  };
}
