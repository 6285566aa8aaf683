import { randomBytes } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import type { FastifyReply, FastifyRequest } from 'fastify';
import inject from 'light-my-request';
import { z } from 'zod';
import type { Config } from '../config/env.ts';
import type { Database } from '../db/database.ts';
import type { AuthContext, Guards } from '../http/auth.ts';
import { AppError } from '../http/errors.ts';
import type { App, HttpModule } from '../http/server.ts';
import type { Clock } from '../lib/clock.ts';
import { isDeviceLoginCode, normalizeUserCode } from '../lib/user-codes.ts';
import { type AuditLog, auditContextOf } from '../modules/audit/service.ts';
import type { Sessions } from '../modules/sessions/service.ts';
import { presentJwtToEngine } from './access-tokens.ts';
import { deleteExpiredPayloads, deletePayloadsOfUser } from './adapter.ts';
import {
  authenticateFederatedAssertion,
  ClientAssertionError,
  fillClientIdFromAuthentication,
  moveBearerAssertionToBody,
} from './client-auth.ts';
import { createClientCache } from './client-cache.ts';
import { abortInteraction, completeInteraction, describeInteraction } from './interactions.ts';
import { loadSigningKeys, publicJwk } from './keys.ts';
import {
  createEngine,
  engineRoutes,
  loadClaimsForClient,
  setBrowserUser,
  setLatchSignOut,
  settlePendingWrites,
} from './provider.ts';
import { createUserinfoHandler } from './userinfo.ts';

type Untyped = any;

export interface OidcModuleDeps {
  readonly db: Database;
  readonly config: Config;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly sessions: Sessions;
  readonly guards: Guards;
  readonly encryptionKey: string;
  /** The passkeys module's reauthentication (a fresh passkey assertion within the last minutes). */
  readonly reauthentication: {
    recentReauthenticationTime(request: FastifyRequest): Promise<Date | undefined>;
  };
}

export interface OidcModule extends HttpModule {
  readonly provider: Untyped;
  /** Waits for pending audit writes. */
  close(): Promise<void>;
  /** Drops cached client metadata after an admin change (all clients when no id is given). */
  invalidateClient(id?: string): void;
  /** Deletes expired protocol objects; run by the scheduler. */
  deleteExpired(): Promise<number>;
  /** Revokes everything a user was granted (grants, codes, tokens, engine sessions): on disable or delete. */
  revokeAllOfUser(userId: string): Promise<void>;
}

/** Endpoints that authenticate clients and may carry a federated assertion. */
const clientAuthenticatedPaths = new Set<string>([
  engineRoutes.token,
  engineRoutes.introspection,
  engineRoutes.revocation,
  engineRoutes.pushed_authorization_request,
  engineRoutes.device_authorization,
]);

/**
 * Engine endpoints browsers on other origins may not call (DESIGN §5): only discovery, JWKS, token, userinfo,
 * introspection and end-session answer cross-origin requests.
 */
const noCorsPaths = new Set<string>([
  engineRoutes.revocation,
  engineRoutes.pushed_authorization_request,
  engineRoutes.device_authorization,
]);

const engineCsp = (nonce: string) =>
  [
    "default-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    'form-action *',
    "style-src 'unsafe-inline'",
    'img-src * data:',
    `script-src 'nonce-${nonce}'`,
  ].join('; ');

/** Discovery as Pocket ID publishes it, from the engine's metadata. */
function shapeDiscovery(engine: Record<string, unknown>, config: Config): Record<string, unknown> {
  const internal = (path: string) => `${config.internalAppUrl}${path}`;
  return {
    ...engine,
    issuer: config.appUrl,
    authorization_endpoint: `${config.appUrl}${engineRoutes.authorization}`,
    token_endpoint: internal(engineRoutes.token),
    userinfo_endpoint: internal(engineRoutes.userinfo),
    end_session_endpoint: `${config.appUrl}${engineRoutes.end_session}`,
    introspection_endpoint: internal(engineRoutes.introspection),
    revocation_endpoint: internal(engineRoutes.revocation),
    device_authorization_endpoint: `${config.appUrl}${engineRoutes.device_authorization}`,
    pushed_authorization_request_endpoint: internal(engineRoutes.pushed_authorization_request),
    jwks_uri: internal(engineRoutes.jwks),
    scopes_supported: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    claims_supported: [
      'sub',
      'given_name',
      'family_name',
      'name',
      'display_name',
      'email',
      'email_verified',
      'preferred_username',
      'picture',
      'groups',
      'auth_time',
      'amr',
    ],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    code_challenge_methods_supported: ['S256'],
    service_documentation: 'https://github.com/latch-id/latch/tree/main/docs',
  };
}

/**
 * Code exchanges per client IP (counters shared across instances through the database store). Only
 * `grant_type=authorization_code` counts: guessing codes is what the limit stops, while client-credentials and
 * refresh traffic from busy back ends is left alone (and costs no counter write).
 */
export const codeExchangeLimitPerMinute = 120;
const codeExchangeRateLimit = {
  rateLimit: {
    max: codeExchangeLimitPerMinute,
    timeWindow: '1 minute',
    hook: 'preHandler' as const,
    allowList: (request: FastifyRequest) =>
      (request.body as Record<string, unknown> | undefined)?.grant_type !== 'authorization_code',
  },
};

const interactionParams = z.object({ id: z.string().min(1).max(200) });
const stepSchema = z.object({
  step: z.enum(['authenticate', 'reauthenticate', 'consent', 'select_account']),
});

export function createOidcModule(deps: OidcModuleDeps): OidcModule {
  let provider: Untyped;
  const clients = createClientCache(deps.db);
  let discoveryBody = '';
  let jwksBody = '';
  let callback: (req: unknown, res: unknown) => Promise<void>;
  const cleanup = setInterval(
    () => {
      void deleteExpiredPayloads(deps.db, deps.clock.now()).catch(() => {});
    },
    10 * 60 * 1000,
  );
  cleanup.unref();

  const tokenEndpoint = `${deps.config.appUrl}${engineRoutes.token}`;

  async function handOver(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = request.url.split('?')[0];
    const endSession = path === engineRoutes.end_session || path === `${engineRoutes.end_session}/confirm`;
    if (
      endSession ||
      path === engineRoutes.authorization ||
      path.startsWith(`${engineRoutes.authorization}/`)
    ) {
      await deps.guards.optionalUser(request, reply);
      setBrowserUser(request.raw, request.auth);
    }
    if (request.body && typeof request.body === 'object') {
      const body = request.body as Record<string, unknown>;
      if (path === engineRoutes.pushed_authorization_request) {
        fillClientIdFromAuthentication(request.headers.authorization, body);
      }
      if (path === engineRoutes.introspection) moveBearerAssertionToBody(request.raw, body);
      if (clientAuthenticatedPaths.has(path)) {
        try {
          await authenticateFederatedAssertion(
            { db: deps.db, clock: deps.clock, appUrl: deps.config.appUrl, tokenEndpoint },
            request.raw,
            body,
          );
        } catch (error) {
          if (!(error instanceof ClientAssertionError)) throw error;
          return reply
            .code(401)
            .header('cache-control', 'no-store')
            .send({ error: 'invalid_client', error_description: error.message });
        }
      }
      if (path === engineRoutes.introspection || path === engineRoutes.revocation) {
        presentJwtToEngine(request.raw, body);
      }
      (request.raw as Untyped).body = body;
    }
    if (path === engineRoutes.code_verification) {
      // `/device` serves two kinds of codes, as upstream: "sign in with another device" codes go to the SPA's
      // approval page; OAuth device-flow codes stay with the engine. The two code alphabets never overlap.
      const query = request.query as Record<string, unknown>;
      const body =
        request.method === 'POST' ? (request.body as Record<string, unknown> | undefined) : undefined;
      const typed = body?.user_code ?? query.code ?? query.user_code;
      const code = typeof typed === 'string' ? normalizeUserCode(typed) : '';
      if (isDeviceLoginCode(code)) return reply.redirect(`/login/device-approve?code=${code}`, 303);
    }
    if (path === `${engineRoutes.end_session}/confirm` && request.method === 'POST') {
      // Signing out of the application ends the Latch browser session too, once the engine accepted the
      // confirmation (its xsrf check passed and `logout=yes` was submitted).
      setLatchSignOut(request.raw, async () => {
        await deps.sessions.end(request, reply);
        const cleared = request.server.serializeCookie(deps.sessions.cookies.session, '', {
          path: '/',
          secure: deps.sessions.cookies.secure,
          httpOnly: true,
          sameSite: 'lax',
          expires: new Date(0),
          maxAge: 0,
        });
        const existing = reply.raw.getHeader('set-cookie');
        reply.raw.setHeader('set-cookie', [...[existing ?? []].flat().map(String), cleared]);
      });
    }
    reply.hijack();
    await callback(request.raw, reply.raw);
  }

  return {
    get provider() {
      return provider;
    },
    async close() {
      await settlePendingWrites();
    },
    invalidateClient(id) {
      clients.invalidate(id);
    },
    deleteExpired() {
      return deleteExpiredPayloads(deps.db, deps.clock.now());
    },
    async revokeAllOfUser(userId) {
      await deletePayloadsOfUser(deps.db, userId);
    },
    async register(app: App) {
      const keys = await loadSigningKeys({
        config: deps.config,
        db: deps.db,
        encryptionKey: deps.encryptionKey,
      });
      provider = createEngine({ ...deps, keys, clients });
      const appUrl = new URL(deps.config.appUrl);
      provider.use(async (ctx: Untyped, next: () => Promise<void>) => {
        const nonce = randomBytes(16).toString('base64');
        ctx.state.cspNonce = nonce;
        // URLs the engine builds (device verification, assertion audiences) follow APP_URL, not the Host header.
        Object.defineProperty(ctx.request, 'protocol', { value: appUrl.protocol.slice(0, -1) });
        Object.defineProperty(ctx.request, 'host', { value: appUrl.host });
        if (appUrl.protocol === 'https:') ctx.cookies.secure = true;
        ctx.set('content-security-policy', engineCsp(nonce));
        ctx.set('x-frame-options', 'DENY');
        ctx.set('x-content-type-options', 'nosniff');
        ctx.set('referrer-policy', 'no-referrer');
        if (ctx.path === engineRoutes.end_session) {
          // Cross-origin as upstream: any origin, no credentials (the engine itself has no preflight here).
          ctx.set('access-control-allow-origin', '*');
          if (ctx.method === 'OPTIONS') {
            ctx.set('access-control-allow-methods', 'GET, POST');
            ctx.set('access-control-allow-headers', 'Authorization, Content-Type');
            ctx.set('access-control-max-age', '3600');
            ctx.status = 204;
            return;
          }
        }
        await next();
        // CORS only where DESIGN §5 allows it: the engine answers it on every client endpoint.
        if (noCorsPaths.has(ctx.path)) {
          for (const name of Object.keys(ctx.response.headers)) {
            if (name.toLowerCase().startsWith('access-control-')) ctx.remove(name);
          }
        }
      });
      callback = provider.callback();

      const engineDiscovery = await inject(callback as Untyped, { url: '/.well-known/openid-configuration' });
      discoveryBody = JSON.stringify(shapeDiscovery(JSON.parse(engineDiscovery.payload), deps.config));
      jwksBody = JSON.stringify({ keys: keys.keys.map(publicJwk) });

      for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
        app.get(path, { schema: { hide: true } }, async (_request, reply) =>
          reply
            .header('content-type', 'application/json; charset=utf-8')
            .header('cache-control', 'public, max-age=3600')
            .header('access-control-allow-origin', '*')
            .send(discoveryBody),
        );
      }
      app.get(engineRoutes.jwks, { schema: { hide: true } }, async (_request, reply) =>
        reply
          .header('content-type', 'application/jwk-set+json; charset=utf-8')
          .header('cache-control', 'public, max-age=900')
          .header('access-control-allow-origin', '*')
          .send(jwksBody),
      );

      await app.register(async (engine) => {
        engine.removeAllContentTypeParsers();
        engine.addContentTypeParser(
          'application/x-www-form-urlencoded',
          { parseAs: 'string', bodyLimit: 56 * 1024 },
          (_request, body, done) => done(null, { ...parseQuery(body as string) }),
        );
        // Anything else is left unread for the engine to refuse in its own words.
        engine.addContentTypeParser('*', (_request, _payload, done) => done(null));
        const paths = [
          engineRoutes.authorization,
          `${engineRoutes.authorization}/:uid`,
          engineRoutes.end_session,
          `${engineRoutes.end_session}/confirm`,
          `${engineRoutes.end_session}/success`,
          engineRoutes.introspection,
          engineRoutes.revocation,
          engineRoutes.device_authorization,
          engineRoutes.code_verification,
          `${engineRoutes.code_verification}/:uid`,
          engineRoutes.pushed_authorization_request,
        ];
        engine.route({
          method: ['GET', 'POST', 'OPTIONS'],
          url: engineRoutes.userinfo,
          schema: { hide: true },
          handler: createUserinfoHandler({
            issuer: deps.config.appUrl,
            provider,
            loadClaims: (clientId, userId) =>
              loadClaimsForClient({ db: deps.db, issuer: deps.config.appUrl, clients }, clientId, userId),
          }),
        });
        engine.route({
          method: ['GET', 'POST', 'OPTIONS', 'HEAD'],
          url: engineRoutes.token,
          schema: { hide: true },
          config: codeExchangeRateLimit,
          handler: handOver,
        });
        for (const url of paths) {
          engine.route({
            method: ['GET', 'POST', 'OPTIONS', 'HEAD'],
            url,
            schema: { hide: true },
            handler: handOver,
          });
        }
      });

      /**
       * The signed-in user, with the time of their last passkey assertion: a reauthentication (a fresh
       * assertion through the passkeys module, `/api/webauthn/reauthenticate`) counts as a new sign-in for
       * prompt=login, max_age and clients that require reauthentication.
       */
      const freshAuth = async (request: FastifyRequest): Promise<AuthContext | null> => {
        const auth = request.auth;
        if (!auth) return null;
        const reauthenticatedAt = await deps.reauthentication.recentReauthenticationTime(request);
        if (!reauthenticatedAt || (auth.authTime && auth.authTime >= reauthenticatedAt)) return auth;
        return { ...auth, authTime: reauthenticatedAt };
      };
      const interactionDeps = { db: deps.db, clock: deps.clock, audit: deps.audit, provider };
      app.get(
        '/api/oidc/interactions/:id',
        { schema: { params: interactionParams }, preValidation: deps.guards.optionalUser },
        async (request) => describeInteraction(interactionDeps, request.params.id, await freshAuth(request)),
      );
      app.post(
        '/api/oidc/interactions/:id/complete',
        {
          schema: { params: interactionParams, body: stepSchema },
          preValidation: deps.guards.requireSession,
        },
        async (request) => {
          const auth = await freshAuth(request);
          if (!auth) throw new AppError('not_signed_in', 401, 'You are not signed in');
          return completeInteraction(
            interactionDeps,
            request.params.id,
            request.body.step,
            auth,
            auditContextOf(request),
          );
        },
      );
      app.post(
        '/api/oidc/interactions/:id/abort',
        { schema: { params: interactionParams }, preValidation: deps.guards.optionalUser },
        async (request) => abortInteraction(interactionDeps, request.params.id),
      );
    },
  };
}
