import type { FastifyReply, FastifyRequest } from 'fastify';
import { jtiOfJwt } from './access-tokens.ts';
import type { AccountClaims, ClaimValue } from './account.ts';
import { scopeClaims } from './provider.ts';

type Untyped = any;

export interface UserinfoDeps {
  readonly issuer: string;
  /** The engine: its AccessToken and Grant models check the stored token (revocation, session binding). */
  readonly provider: Untyped;
  /** Claims of a user the client may still see: undefined when missing, disabled or outside its groups. */
  loadClaims(clientId: string, userId: string): Promise<AccountClaims | undefined>;
}

class BearerError extends Error {
  readonly status: number;
  readonly error: string;
  readonly scope: string | undefined;
  constructor(status: number, error: string, description: string, scope?: string) {
    super(description);
    this.status = status;
    this.error = error;
    this.scope = scope;
  }
}

/** The bearer token of the request: the Authorization header or, for a form POST, the `access_token` field. */
function presentedToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const body = request.body as Record<string, unknown> | undefined;
  const fromBody =
    request.method === 'POST' && typeof body?.access_token === 'string' ? body.access_token : '';
  if (header && fromBody) throw new BearerError(400, 'invalid_request', 'access token provided twice');
  if (header) {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
    if (!match) throw new BearerError(400, 'invalid_request', 'invalid authorization header value format');
    return match[1];
  }
  if (fromBody) return fromBody;
  throw new BearerError(400, 'invalid_request', 'no access token provided');
}

/** The claims the scopes release, from the user's claims. */
export function releasedClaims(
  claims: AccountClaims,
  scopes: ReadonlySet<string>,
): Record<string, ClaimValue> {
  const released: Record<string, ClaimValue> = {};
  for (const scope of scopes) {
    for (const name of scopeClaims[scope] ?? []) {
      if (claims.standard[name] !== undefined) released[name] = claims.standard[name];
    }
  }
  if (scopes.has('profile')) {
    for (const [name, value] of Object.entries(claims.custom))
      if (!(name in released)) released[name] = value;
  }
  return released;
}

/**
 * Userinfo, served beside the engine: the engine refuses access tokens that carry an audience, and RFC 9068
 * tokens always do. Steps: find the stored token by the JWT's jti (only the exact issued value matches),
 * require `openid` and APP_URL in the audience, then its session binding, its grant and the user (exists,
 * enabled, still allowed), and release the claims of the granted scopes.
 */
export function createUserinfoHandler(deps: UserinfoDeps) {
  const { provider, issuer } = deps;

  /** The stored token of a JWT value, with the openid scope and APP_URL in its audience. */
  async function findToken(value: string): Promise<Untyped> {
    if (jtiOfJwt(value) === undefined) throw new BearerError(401, 'invalid_token', 'invalid token provided');
    // The session binding is checked below, together with the grant and the user.
    const token = await provider.AccessToken.find(value, { ignoreSessionBinding: true });
    if (!token?.isValid) throw new BearerError(401, 'invalid_token', 'invalid token provided');
    if (!token.scopes.has('openid')) {
      throw new BearerError(403, 'insufficient_scope', 'access token missing openid scope', 'openid');
    }
    const audience: string[] = [token.aud ?? []].flat();
    if (!audience.includes(issuer)) {
      throw new BearerError(401, 'invalid_token', 'token audience prevents accessing the userinfo endpoint');
    }
    return token;
  }

  /** A token without offline_access lives only as long as the browser session that issued it (the engine's rule). */
  async function isSessionBound(token: Untyped): Promise<boolean> {
    if (!token.expiresWithSession) return true;
    const session = await provider.Session.findByUid(token.sessionUid);
    return (
      session !== undefined &&
      session.accountId === token.accountId &&
      session.grantIdFor(token.clientId) === token.grantId
    );
  }

  async function findMatchingGrant(token: Untyped): Promise<Untyped> {
    const grant = await provider.Grant.find(token.grantId, { ignoreExpiration: true });
    const matches =
      grant && !grant.isExpired && grant.clientId === token.clientId && grant.accountId === token.accountId;
    return matches ? grant : undefined;
  }

  function requestedScopes(request: FastifyRequest, token: Untyped): Set<string> {
    const body = request.body as Record<string, unknown> | undefined;
    const query = request.query as Record<string, unknown> | undefined;
    const asked = String((request.method === 'POST' ? body?.scope : query?.scope) ?? '');
    if (!asked) return token.scopes;
    const scopes = new Set(asked.split(' ').filter(Boolean));
    const missing = [...scopes].filter((scope) => !token.scopes.has(scope));
    if (missing.length > 0) {
      throw new BearerError(
        403,
        'insufficient_scope',
        'access token missing requested scope',
        missing.join(' '),
      );
    }
    return scopes;
  }

  return async function userinfo(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    reply.header('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'Authorization, Content-Type')
        .header('access-control-max-age', '3600');
      return reply.code(204).send();
    }
    try {
      const value = presentedToken(request);
      const token = await findToken(value);
      const scopes = requestedScopes(request, token);
      // Independent reads, at once: on PostgreSQL each is a round trip.
      const [bound, grant, claims] = await Promise.all([
        isSessionBound(token),
        findMatchingGrant(token),
        deps.loadClaims(token.clientId, token.accountId),
      ]);
      if (!bound || !grant || !claims) throw new BearerError(401, 'invalid_token', 'invalid token provided');
      const granted = new Set<string>(grant.getOIDCScopeFiltered(scopes).split(' '));
      return reply.code(200).send(releasedClaims(claims, granted));
    } catch (error) {
      if (!(error instanceof BearerError)) throw error;
      const parts = [`realm="${issuer}"`, `error="${error.error}"`, `error_description="${error.message}"`];
      if (error.scope) parts.push(`scope="${error.scope}"`);
      return reply
        .code(error.status)
        .header('www-authenticate', `Bearer ${parts.join(', ')}`)
        .send({ error: error.error, error_description: error.message });
    }
  };
}
