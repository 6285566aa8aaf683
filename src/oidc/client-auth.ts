import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, decodeJwt, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { constantTimeEqual, randomToken } from '../lib/crypto.ts';
import { recordOnce } from './adapter.ts';
import { findClientById } from './clients-repository.ts';

type Untyped = any;

export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const clockToleranceSeconds = 30;

/**
 * The authentication method a request presents for a client. The engine expects one registered method per
 * client; Latch's confidential clients accept basic, post and signed assertions alike.
 */
export function clientAuthMethodFor(client: Untyped, ctx: Untyped): string {
  if (client.latch_public) return 'none';
  const authorization = ctx?.headers?.authorization;
  if (typeof authorization === 'string' && /^basic /i.test(authorization)) return 'client_secret_basic';
  const params = ctx?.oidc?.params;
  if (params?.client_secret) return 'client_secret_post';
  if (params?.client_assertion) return 'private_key_jwt';
  return 'client_secret_basic';
}

/** Requests whose client was authenticated by a federated assertion, with the one-time secret standing in. */
const federated = new WeakMap<IncomingMessage, { clientId: string; secret: string }>();

export function isFederatedAuthenticated(
  request: IncomingMessage,
  clientId: string,
  secret: string,
): boolean {
  const entry = federated.get(request);
  return entry !== undefined && entry.clientId === clientId && constantTimeEqual(entry.secret, secret);
}

export class ClientAssertionError extends Error {}

const jwksByUrl = new Map<string, JWTVerifyGetKey>();

function remoteJwks(url: string): JWTVerifyGetKey {
  let jwks = jwksByUrl.get(url);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(url), { cacheMaxAge: 15 * 60 * 1000, cooldownDuration: 30_000 });
    jwksByUrl.set(url, jwks);
  }
  return jwks;
}

/**
 * RFC 7523 client authentication with an assertion issued by another issuer (a workload identity, a CI
 * system), matched against the client's federated identities by issuer; subject defaults to the client id,
 * audience to APP_URL, the key set to `<issuer>/.well-known/jwks.json`. A verified assertion is swapped for a
 * one-time secret the engine then accepts. Assertions the client signs itself (iss = client id) are left to
 * the engine's private_key_jwt. @throws ClientAssertionError when the assertion is refused
 */
export async function authenticateFederatedAssertion(
  deps: { db: Database; clock: Clock; appUrl: string; tokenEndpoint: string },
  request: IncomingMessage,
  body: Record<string, unknown>,
): Promise<void> {
  const assertion = body.client_assertion;
  if (typeof assertion !== 'string' || body.client_assertion_type !== jwtBearerAssertionType) return;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(assertion);
  } catch {
    return; // the engine answers malformed assertions
  }
  const clientId = typeof body.client_id === 'string' ? body.client_id : claims.sub;
  if (!clientId || claims.iss === clientId) return;
  const client = await findClientById(deps.db, clientId);
  const identity = client?.credentials.federatedIdentities?.find(
    (candidate) => candidate.issuer === claims.iss,
  );
  if (!client || client.isPublic || !identity) {
    throw new ClientAssertionError('the client trusts no assertions from this issuer');
  }
  try {
    const { payload } = await jwtVerify(
      assertion,
      remoteJwks(identity.jwks || `${identity.issuer.replace(/\/$/, '')}/.well-known/jwks.json`),
      {
        issuer: identity.issuer,
        subject: identity.subject || client.id,
        audience: identity.audience || [deps.appUrl, deps.tokenEndpoint],
        algorithms: asymmetricAlgorithms,
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['exp'],
        currentDate: deps.clock.now(),
      },
    );
    if (typeof payload.jti === 'string') {
      const until = new Date(((payload.exp as number) + clockToleranceSeconds) * 1000);
      const first = await recordOnce(
        deps.db,
        'FederatedAssertion',
        `${identity.issuer}\n${payload.jti}`,
        until,
      );
      if (!first) throw new ClientAssertionError('the client assertion was already used (jti replay)');
    } else if (identity.replayProtection) {
      throw new ClientAssertionError('the client assertion must carry a jti');
    }
  } catch (error) {
    if (error instanceof ClientAssertionError) throw error;
    throw new ClientAssertionError(`the client assertion was refused: ${(error as Error).message}`);
  }
  const secret = randomToken();
  federated.set(request, { clientId: client.id, secret });
  delete body.client_assertion;
  delete body.client_assertion_type;
  body.client_id = client.id;
  body.client_secret = secret;
}

/**
 * RFC 9126 clients authenticate a pushed authorization request like a token request and need not repeat
 * `client_id` in the body; the engine reads the authorization request's `client_id`, so it is filled in from
 * the Basic credentials or the client's own assertion (`sub`).
 */
export function fillClientIdFromAuthentication(
  authorization: string | undefined,
  body: Record<string, unknown>,
): void {
  if (typeof body.client_id === 'string' && body.client_id !== '') return;
  if (authorization && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator > 0) {
      try {
        body.client_id = decodeURIComponent(decoded.slice(0, separator).replace(/\+/g, '%20'));
      } catch {
        // a malformed header is the engine's to refuse
      }
    }
    return;
  }
  if (typeof body.client_assertion === 'string') {
    try {
      const { sub } = decodeJwt(body.client_assertion);
      if (typeof sub === 'string' && sub !== '') body.client_id = sub;
    } catch {
      // a malformed assertion is the engine's to refuse
    }
  }
}

/**
 * Introspection as upstream accepts it: `Authorization: Bearer <assertion>` with `client_id` in the form is a
 * federated client assertion (RFC 7523) moved to the body; the caller then goes through the same checks.
 * Returns true when the header was taken.
 */
export function moveBearerAssertionToBody(request: IncomingMessage, body: Record<string, unknown>): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !/^bearer /i.test(header)) return false;
  if (typeof body.client_id !== 'string' || body.client_assertion !== undefined) return false;
  const assertion = header.slice(7).trim();
  try {
    decodeJwt(assertion);
  } catch {
    return false;
  }
  body.client_assertion = assertion;
  body.client_assertion_type = jwtBearerAssertionType;
  delete request.headers.authorization;
  return true;
}
