import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { accessTokenAudience } from './access-tokens.ts';
import { type ClaimValue, loadAccountClaims } from './account.ts';
import { scopeClaims, supportedScopes } from './provider.ts';

export type ClaimSet = Record<string, ClaimValue>;

export interface TokenPreview {
  readonly idToken: ClaimSet;
  readonly accessToken: ClaimSet;
  readonly userInfo: ClaimSet;
}

export interface PreviewRequest {
  readonly clientId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly accessTokenDurationMinutes: number;
}

/** Computes what a client would receive for a user; undefined when the user is missing or disabled. */
export type TokenPreviewer = (request: PreviewRequest) => Promise<TokenPreview | undefined>;

/**
 * The claims of the ID token, access token and userinfo response a client would get for a user, computed by
 * the same claims code the engine uses (`loadAccountClaims`), without issuing anything.
 */
export function createTokenPreviewer(deps: { db: Database; appUrl: string; clock: Clock }): TokenPreviewer {
  return async ({ clientId, userId, scopes, accessTokenDurationMinutes }) => {
    const claims = await loadAccountClaims(deps.db, deps.appUrl, userId);
    if (!claims) return undefined;
    const granted = scopes.filter((scope) => supportedScopes.includes(scope));
    const released: ClaimSet = {};
    for (const scope of granted) {
      for (const name of scopeClaims[scope] ?? []) {
        if (claims.standard[name] !== undefined) released[name] = claims.standard[name];
      }
    }
    // Custom claims never override standard ones (the engine's Claims subclass does the same).
    if (granted.includes('profile')) {
      for (const [key, value] of Object.entries(claims.custom)) if (!(key in released)) released[key] = value;
    }
    const userInfo: ClaimSet = { sub: userId, ...released };
    const iat = Math.floor(deps.clock.now().getTime() / 1000);
    const idToken: ClaimSet = {
      iss: deps.appUrl,
      aud: clientId,
      iat,
      exp: iat + 3600,
      auth_time: iat,
      amr: ['phr'],
      ...userInfo,
    };
    // The claims of the RFC 9068 access token (decision 0005).
    const accessToken: ClaimSet = {
      iss: deps.appUrl,
      sub: userId,
      aud: accessTokenAudience(clientId, granted.join(' '), deps.appUrl),
      exp: iat + accessTokenDurationMinutes * 60,
      iat,
      jti: randomUUID(),
      client_id: clientId,
      scope: granted.join(' '),
      scp: granted,
    };
    return { idToken, accessToken, userInfo };
  };
}
