import type { IncomingMessage } from 'node:http';
import { CompactSign, importJWK } from 'jose';
import Provider from 'oidc-provider';
import { sha256Hex } from '../lib/crypto.ts';
import type { KeyStore } from './keys.ts';

type Untyped = any;

/** Scopes that release identity claims; granting any of them puts APP_URL in the access token audience. */
const identityScopes = new Set(['openid', 'profile', 'email', 'groups']);

/** Kinds of protocol objects whose value is an RFC 9068 JWT (the stored row is keyed by its `jti`). */
export const jwtAccessTokenKinds = new Set(['AccessToken', 'ClientCredentials']);

/** The stored payload keeps the SHA-256 of the issued JWT: only that exact value is accepted back. */
export const tokenHashField = 'latch_token_hash';

/** The audience of an access token as upstream sets it: the client, plus APP_URL with an identity scope. */
export function accessTokenAudience(clientId: string, scope: string | undefined, issuer: string): string[] {
  const scopes = String(scope ?? '').split(' ');
  return scopes.some((value) => identityScopes.has(value)) ? [clientId, issuer] : [clientId];
}

/**
 * The `jti` of a JWT-shaped value, read without verifying it: the caller must compare the value with what was
 * issued under that jti. Undefined for anything that is not a JWT with a string jti.
 */
export function jtiOfJwt(value: string): string | undefined {
  const parts = value.split('.');
  if (parts.length !== 3 || value.length > 8192) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload?.jti === 'string' && payload.jti !== '' ? payload.jti : undefined;
  } catch {
    return undefined;
  }
}

/** JWT access tokens presented at introspection / revocation, which the engine refuses to look at. */
const presentedJwts = new WeakMap<IncomingMessage, { jti: string; value: string }>();

/**
 * The engine's introspection and revocation refuse JWT-shaped tokens, so the HTTP layer hands it the token id
 * instead and remembers the value for this request; the adapter accepts the id only with that exact value.
 */
export function presentJwtToEngine(request: IncomingMessage, body: Record<string, unknown>): void {
  if (typeof body.token !== 'string') return;
  const jti = jtiOfJwt(body.token);
  if (jti === undefined) return;
  presentedJwts.set(request, { jti, value: body.token });
  body.token = jti;
}

/** The JWT presented in the current engine request under this token id, if any. */
export function presentedJwtValue(jti: string): string | undefined {
  const request = (Provider as Untyped).ctx?.req as IncomingMessage | undefined;
  const presented = request && presentedJwts.get(request);
  return presented?.jti === jti ? presented.value : undefined;
}

export function hashTokenValue(value: string): string {
  return sha256Hex(value);
}

export interface AccessTokenSigner {
  sign(claims: Record<string, unknown>): Promise<string>;
}

/** Signs with the current signing key (the first of the store), `typ: at+jwt` as RFC 9068 asks. */
export function createAccessTokenSigner(store: KeyStore): AccessTokenSigner {
  const { jwk } = store.keys[0];
  const key = importJWK(jwk, jwk.alg);
  const encoder = new TextEncoder();
  return {
    async sign(claims) {
      return new CompactSign(encoder.encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: 'at+jwt' })
        .sign(await key);
    },
  };
}

/**
 * Makes the engine's access tokens (user and client-credentials) RFC 9068 JWTs while keeping them stateful:
 * the engine still builds and stores its opaque payload under the token id, and the value handed out is a JWT
 * whose `jti` is that id. Revocation, introspection, grant revocation (refresh-token reuse, code replay) and
 * userinfo all look the row up, so deleting it kills the JWT for Latch; a third-party resource server that only
 * verifies the signature would accept it until `exp` (it can introspect instead).
 */
export function installJwtAccessTokens(provider: Untyped, issuer: string, signer: AccessTokenSigner): void {
  for (const model of [provider.AccessToken, provider.ClientCredentials]) {
    const opaqueValueAndPayload = model.prototype.getValueAndPayload;
    model.prototype.getValueAndPayload = async function getValueAndPayload(this: Untyped) {
      const { value: jti, payload } = await opaqueValueAndPayload.call(this);
      const clientId: string = payload.clientId;
      const scopes = String(payload.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const aud = accessTokenAudience(clientId, payload.scope, issuer);
      const claims: Record<string, unknown> = {
        iss: issuer,
        sub: payload.kind === 'ClientCredentials' ? `client-${clientId}` : payload.accountId,
        aud,
        exp: payload.exp,
        iat: payload.iat,
        jti,
        client_id: clientId,
        scope: scopes.join(' '),
        scp: scopes,
      };
      if (payload.sid) claims.sid = payload.sid;
      const value = await signer.sign(claims);
      return { value, payload: { ...payload, aud, [tokenHashField]: hashTokenValue(value) } };
    };
  }
}

/**
 * Client-credentials tokens act for the client, not a user: the standard scopes (openid, profile, email,
 * groups, offline_access) are dropped as upstream does, so such a token never reaches userinfo and its audience
 * is the client alone.
 */
export function installClientCredentialsScopes(provider: Untyped): void {
  const model = provider.ClientCredentials;
  const save = model.prototype.save;
  model.prototype.save = async function saveWithoutUserScopes(this: Untyped, ...args: unknown[]) {
    const kept = String(this.scope ?? '')
      .split(' ')
      .filter((scope) => scope !== '' && !identityScopes.has(scope) && scope !== 'offline_access');
    this.scope = kept.length > 0 ? kept.join(' ') : undefined;
    return save.apply(this, args);
  };
}
