import { hkdfSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Provider, { errors, interactionPolicy } from 'oidc-provider';
import type { Config } from '../config/env.ts';
import type { Database } from '../db/database.ts';
import type { AuthContext } from '../http/auth.ts';
import { isCallbackUrlAllowed } from '../lib/callback-urls.ts';
import type { Clock } from '../lib/clock.ts';
import type { AuditLog } from '../modules/audit/service.ts';
import {
  createAccessTokenSigner,
  installClientCredentialsScopes,
  installJwtAccessTokens,
} from './access-tokens.ts';
import { type AccountClaims, loadAccountClaims } from './account.ts';
import { createPayloadAdapter } from './adapter.ts';
import { clientAuthMethodFor, isFederatedAuthenticated } from './client-auth.ts';
import type { ClientCache } from './client-cache.ts';
import {
  findConsentedScopes,
  matchesStoredSecret,
  type OidcClientRecord,
  saveConsent,
  touchConsent,
} from './clients-repository.ts';
import { currentAlgorithm, type KeyStore, signingAlgorithms } from './keys.ts';
import {
  renderDeviceSuccessPage,
  renderEngineError,
  renderLogoutPage,
  renderUserCodeConfirmPage,
  renderUserCodePage,
} from './pages.ts';

/** Pocket ID's URLs for the engine's endpoints. */
export const engineRoutes = {
  authorization: '/authorize',
  token: '/api/oidc/token',
  userinfo: '/api/oidc/userinfo',
  end_session: '/api/oidc/end-session',
  introspection: '/api/oidc/introspect',
  revocation: '/api/oidc/revoke',
  device_authorization: '/api/oidc/device/authorize',
  code_verification: '/device',
  pushed_authorization_request: '/api/oidc/par',
  jwks: '/.well-known/jwks.json',
} as const;

export const supportedScopes = ['openid', 'profile', 'email', 'groups', 'offline_access'];

/** The standard claims each scope releases; custom claims come with `profile`. */
export const scopeClaims: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  profile: ['given_name', 'family_name', 'name', 'display_name', 'preferred_username', 'picture'],
  email: ['email', 'email_verified'],
  groups: ['groups'],
};

/** A client requiring reauthentication accepts a sign-in at most this old. */
export const reauthenticationWindowSeconds = 300;

const deviceCodeGrant = 'urn:ietf:params:oauth:grant-type:device_code';

/** The browser user of an /authorize request, set by the HTTP layer before the engine runs. */
const browserUsers = new WeakMap<IncomingMessage, AuthContext | null>();

export function setBrowserUser(request: IncomingMessage, auth: AuthContext | null): void {
  browserUsers.set(request, auth);
}

/** Ends the Latch browser session of a confirmed logout; set by the HTTP layer for end-session confirmations. */
const latchSignOuts = new WeakMap<IncomingMessage, () => Promise<void>>();

export function setLatchSignOut(request: IncomingMessage, signOut: () => Promise<void>): void {
  latchSignOuts.set(request, signOut);
}

export interface EngineDeps {
  readonly db: Database;
  readonly config: Config;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly keys: KeyStore;
  readonly encryptionKey: string;
  readonly clients: ClientCache;
}

type Untyped = any;

/** Everything about a client the engine needs, as client metadata (latch_* are Latch's own properties). */
export function clientMetadata(client: OidcClientRecord, appUrl: string): Record<string, unknown> {
  const exactWebUrls = client.callbackUrls.filter(
    (url) => !url.includes('*') && /^https?:\/\//i.test(url) && URL.canParse(url),
  );
  // The engine picks the only registered URL when redirect_uri is omitted: it may do so only when exactly one
  // exact URL is registered; otherwise its list gets placeholders that never match (matching is ours).
  const placeholder = (n: number) => `${appUrl}/interaction/error?error=invalid_redirect_uri&n=${n}`;
  const redirectUris =
    client.callbackUrls.length === 1 && exactWebUrls.length === 1
      ? exactWebUrls
      : [...exactWebUrls, placeholder(1), placeholder(2)];
  const grantTypes = ['authorization_code', 'refresh_token', deviceCodeGrant];
  if (!client.isPublic) grantTypes.push('client_credentials');
  const metadata: Record<string, unknown> = {
    client_id: client.id,
    client_name: client.name,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: client.logoutCallbackUrls.filter(
      (url) => !url.includes('*') && /^https?:\/\//i.test(url) && URL.canParse(url),
    ),
    response_types: ['code'],
    grant_types: grantTypes,
    token_endpoint_auth_method: client.isPublic ? 'none' : 'client_secret_basic',
    latch_callback_urls: client.callbackUrls,
    latch_logout_callback_urls: client.logoutCallbackUrls,
    latch_pkce_enabled: client.pkceEnabled,
    latch_requires_reauthentication: client.requiresReauthentication,
    latch_skip_consent: client.skipConsent,
    latch_access_token_minutes: client.accessTokenDurationMinutes,
    latch_refresh_token_minutes: client.refreshTokenDurationMinutes,
    latch_public: client.isPublic,
    latch_federated: (client.credentials.federatedIdentities ?? []).length > 0,
  };
  // The secret itself lives hashed in oidc_client_secrets; compareClientSecret checks it there.
  if (!client.isPublic) metadata.client_secret = 'stored-hashed';
  if (client.backChannelLogoutUrl) {
    metadata.backchannel_logout_uri = client.backChannelLogoutUrl;
    metadata.backchannel_logout_session_required = true;
  }
  if (!client.isPublic && client.credentials.jwks) metadata.jwks = client.credentials.jwks;
  else if (!client.isPublic && client.credentials.jwksUri) metadata.jwks_uri = client.credentials.jwksUri;
  return metadata;
}

function cookieKeys(encryptionKey: string): string[] {
  return [
    Buffer.from(hkdfSync('sha256', encryptionKey, 'latch', 'latch/oidc-cookies', 32)).toString('base64url'),
  ];
}

function requestedScopes(ctx: Untyped): string[] {
  const scope = String(ctx.oidc.params?.scope ?? '');
  return [...new Set(scope.split(' ').filter((value) => supportedScopes.includes(value)))];
}

/** Audit writes started by engine events; awaited on shutdown. */
const pendingWrites = new Set<Promise<void>>();

export async function settlePendingWrites(): Promise<void> {
  await Promise.all([...pendingWrites]);
}

/** The claims of a user for a client: undefined when the user is missing, disabled or outside its groups. */
export async function loadClaimsForClient(
  deps: { db: Database; issuer: string; clients: ClientCache },
  clientId: string | undefined,
  userId: string,
): Promise<AccountClaims | undefined> {
  const [client, claims] = await Promise.all([
    clientId ? deps.clients.find(clientId) : undefined,
    loadAccountClaims(deps.db, deps.issuer, userId),
  ]);
  if (!claims || (clientId && !client)) return undefined;
  if (client?.record.isGroupRestricted && !claims.groupIds.some((id) => client.allowedGroupIds.has(id))) {
    return undefined;
  }
  return claims;
}

/**
 * Whether an RP-initiated logout may proceed without asking: the id_token_hint (verified by the engine) names
 * the signed-in account (the engine session's and the Latch session's user) and the user authorized the client
 * (a consent row, or a client that skips consent).
 */
async function logoutHintMatches(ctx: Untyped, db: Database): Promise<boolean> {
  const sub = ctx.oidc.entities?.IdTokenHint?.payload?.sub;
  const client = ctx.oidc.client;
  if (typeof sub !== 'string' || !client) return false;
  const account: string | undefined = ctx.oidc.session?.accountId;
  const auth = browserUsers.get(ctx.req);
  if (account === undefined && !auth) return false;
  if (account !== undefined && account !== sub) return false;
  if (auth && auth.user.id !== sub) return false;
  if (client.latch_skip_consent) return true;
  return (await findConsentedScopes(db, sub, client.clientId)) !== undefined;
}

/** Builds the configured engine. The HTTP layer mounts `provider.callback()`. */
export function createEngine(deps: EngineDeps): Untyped {
  const { db, config, clock } = deps;
  const issuer = config.appUrl;
  const adapters = new Map<string, ReturnType<typeof createPayloadAdapter>>();

  const clientAdapter = {
    async find(id: string) {
      const client = await deps.clients.find(id);
      return client && clientMetadata(client.record, issuer);
    },
    async upsert() {},
    async destroy() {},
  };

  const { base, Check, Prompt } = interactionPolicy;
  const policy = base();
  // prompt=select_account: the interaction shows the signed-in account with "continue" / "use another account".
  policy.add(new Prompt({ name: 'select_account', requestable: true }), 0);
  const login = policy.get('login');
  // The engine's session follows the Latch browser session: another (or no) signed-in user means a new sign-in.
  login.checks.add(
    new Check(
      'latch_session',
      'the browser is not signed in as the session account',
      'login_required',
      (ctx: Untyped) => {
        const auth = browserUsers.get(ctx.req);
        if (auth === undefined) return Check.NO_NEED_TO_PROMPT;
        if (!auth || auth.user.id !== ctx.oidc.session.accountId) return Check.REQUEST_PROMPT;
        return Check.NO_NEED_TO_PROMPT;
      },
    ),
    0,
  );
  login.checks.add(
    new Check('latch_reauthentication', 'the client requires a fresh sign-in', (ctx: Untyped) => {
      if (!ctx.oidc.client?.latch_requires_reauthentication) return Check.NO_NEED_TO_PROMPT;
      const authTime = ctx.oidc.session.authTime ?? 0;
      return clock.now().getTime() / 1000 - authTime > reauthenticationWindowSeconds
        ? Check.REQUEST_PROMPT
        : Check.NO_NEED_TO_PROMPT;
    }),
  );

  // A signed-in user outside a group-restricted client's groups is sent to the interaction, which answers
  // access denied (never a code the token endpoint would refuse).
  policy.get('consent').checks.add(
    new Check(
      'latch_allowed_groups',
      'the user is not in a group allowed to use the client',
      // What prompt=none answers, as upstream does, instead of consent_required.
      'access_denied',
      async (ctx: Untyped) => {
        const accountId = ctx.oidc.session?.accountId;
        if (!accountId) return Check.NO_NEED_TO_PROMPT;
        const allowed = await loadClaimsForClient(
          { db, issuer, clients: deps.clients },
          ctx.oidc.client.clientId,
          accountId,
        );
        return allowed ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
      },
    ),
    0,
  );

  const alg = currentAlgorithm(deps.keys);
  const provider = new Provider(issuer, {
    adapter(name: string) {
      if (name === 'Client') return clientAdapter;
      let adapter = adapters.get(name);
      if (!adapter) {
        adapter = createPayloadAdapter({ db, clock }, name);
        adapters.set(name, adapter);
      }
      return adapter;
    },
    jwks: { keys: deps.keys.keys.map((key) => key.jwk) },
    cookies: {
      keys: cookieKeys(deps.encryptionKey),
      long: { signed: true, sameSite: 'lax' },
      short: { signed: true, sameSite: 'lax' },
    },
    routes: engineRoutes,
    scopes: supportedScopes,
    claims: Object.fromEntries(Object.entries(scopeClaims).map(([scope, names]) => [scope, [...names]])),
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      id_token_signed_response_alg: alg,
      require_auth_time: true,
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: {
      idTokenSigningAlgValues: [...signingAlgorithms],
      clientAuthSigningAlgValues: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      requestObjectSigningAlgValues: ['RS256', 'ES256', 'EdDSA'],
    },
    extraClientMetadata: {
      properties: [
        'latch_callback_urls',
        'latch_logout_callback_urls',
        'latch_pkce_enabled',
        'latch_requires_reauthentication',
        'latch_skip_consent',
        'latch_access_token_minutes',
        'latch_refresh_token_minutes',
        'latch_public',
        'latch_federated',
      ],
    },
    responseTypes: ['code'],
    pkce: {
      required: (_ctx: Untyped, client: Untyped) =>
        client.latch_public === true || client.latch_pkce_enabled === true,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Off (decision 0004): Latch's userinfo and resource servers verifying the JWT would not check the proof,
      // so a DPoP-bound token would work as a plain bearer token; advertising DPoP would promise a binding.
      dPoP: { enabled: false },
      introspection: {
        enabled: true,
        // A client may only look at its own tokens: another client's token is `active: false` (as upstream).
        // A user's token is active only while the user exists, is enabled and may still use the client (the
        // check the token endpoint and userinfo make); a client-credentials token while its client exists.
        allowedPolicy: async (_ctx: Untyped, client: Untyped, token: Untyped) => {
          if (token.clientId !== client.clientId) return false;
          if (!token.accountId) return (await deps.clients.find(token.clientId)) !== undefined;
          const claims = await loadClaimsForClient(
            { db, issuer, clients: deps.clients },
            token.clientId,
            token.accountId,
          );
          return claims !== undefined;
        },
      },
      revocation: {
        enabled: true,
        // Only the client a token was issued to may revoke it (a public client's attempt is silently ignored).
        allowedPolicy: async (_ctx: Untyped, client: Untyped, token: Untyped) => {
          if (token.clientId === client.clientId) return true;
          if (client.latch_public) return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: renderUserCodePage,
        userCodeConfirmSource: renderUserCodeConfirmPage,
        successSource: renderDeviceSuccessPage,
      },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: Untyped, form: string) =>
          renderLogoutPage(ctx, form, await logoutHintMatches(ctx, db)),
      },
      backchannelLogout: { enabled: true },
      claimsParameter: { enabled: false },
      requestObjects: { enabled: false },
    },
    interactions: {
      policy,
      url: (_ctx: Untyped, interaction: Untyped) => `/interaction?interaction=${interaction.uid}`,
    },
    async findAccount(ctx: Untyped, sub: string) {
      // Every use re-checks that the user exists, is enabled and may still use this client.
      // At /authorize the group check is a prompt (latch_allowed_groups) so the browser gets an access-denied
      // page; everywhere else (tokens, userinfo) a user outside the client's groups has no account.
      const atAuthorization = ctx?.oidc?.route === 'authorization' || ctx?.oidc?.route === 'resume';
      const claims = await loadClaimsForClient(
        { db, issuer, clients: deps.clients },
        atAuthorization ? undefined : ctx?.oidc?.client?.clientId,
        sub,
      );
      if (!claims) return undefined;
      return {
        accountId: sub,
        async claims(_use: string, scope: string) {
          const granted = new Set(String(scope ?? '').split(' '));
          return { ...claims.standard, ...(granted.has('profile') ? { __latch_custom: claims.custom } : {}) };
        },
      };
    },
    async loadExistingGrant(ctx: Untyped) {
      const { session, client, result } = ctx.oidc;
      const grantId = result?.consent?.grantId || session.grantIdFor(client.clientId);
      let grant = grantId ? await provider.Grant.find(grantId) : undefined;
      if (grant && grant.accountId !== session.accountId) grant = undefined;
      if (result?.consent || !session.accountId) return grant;
      const prompts = new Set(String(ctx.oidc.params?.prompt ?? '').split(' '));
      if (prompts.has('consent')) return grant;
      // Consent remembered per user and client (or skipped for the client) needs no prompt.
      const scopes = requestedScopes(ctx);
      const consented = client.latch_skip_consent
        ? scopes
        : ((await findConsentedScopes(db, session.accountId, client.clientId)) ?? []);
      if (!scopes.every((scope) => consented.includes(scope))) return grant;
      grant ??= new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope(scopes.join(' '));
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx: Untyped, client: Untyped, code: Untyped) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.kind === 'AuthorizationCode' || code.kind === 'DeviceCode' || code.kind === 'RefreshToken'),
    rotateRefreshToken: true,
    conformIdTokenClaims: false,
    ttl: {
      AccessToken: (_ctx: Untyped, _token: Untyped, client: Untyped) =>
        (client?.latch_access_token_minutes ?? 60) * 60,
      ClientCredentials: (_ctx: Untyped, _token: Untyped, client: Untyped) =>
        (client?.latch_access_token_minutes ?? 60) * 60,
      AuthorizationCode: 600,
      IdToken: 3600,
      DeviceCode: 900,
      PushedAuthorizationRequest: 90,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      RefreshToken: (_ctx: Untyped, _token: Untyped, client: Untyped) =>
        (client?.latch_refresh_token_minutes ?? 43200) * 60,
      Grant: (_ctx: Untyped, _grant: Untyped, client: Untyped) =>
        (client?.latch_refresh_token_minutes ?? 43200) * 60,
    },
    clientBasedCORS: () => true,
    // The engine refuses to reach loopback and private addresses (SSRF protection for dynamically registered
    // clients). Latch's back-channel logout and JWKS URLs are registered by admins only, and self-hosted relying
    // parties usually live on private networks (Docker, LAN), so they are allowed; the engine's timeout stays.
    fetch: (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _ssrfGuard, ...rest } = options;
      return fetch(url, rest);
    },
    renderError: renderEngineError,
    async extraTokenClaims(_ctx: Untyped, token: Untyped) {
      if (token.kind === 'ClientCredentials') return { sub: `client-${token.clientId}` };
      return undefined;
    },
  });

  provider.proxy = config.trustProxy;
  provider.use(async (ctx: Untyped, next: () => Promise<void>) => {
    await next();
    const route = ctx.oidc?.route;
    if (
      route === 'end_session' &&
      ctx.status === 200 &&
      !ctx.oidc.session?.accountId &&
      browserUsers.get(ctx.req)
    ) {
      // Without an engine session the engine submits `logout=yes` by itself; a user signed in to Latch
      // confirms instead (or the hint names them).
      const action = ctx.oidc.urlFor('end_session_confirm');
      const secret = ctx.oidc.session.state?.secret ?? '';
      const form = `<form id="op.logoutForm" method="post" action="${action}"><input type="hidden" name="xsrf" value="${secret}"/></form>`;
      await renderLogoutPage(ctx, form, await logoutHintMatches(ctx, db));
    }
    // The engine checked the confirmation (xsrf) and signed out: the Latch session ends too. The logout page
    // only submits `logout=yes` by itself for a verified hint naming the signed-in user.
    // When a different user signs in during an authorization, the engine ends its old session through the same
    // confirmation and resumes the authorization: the Latch session (the new user's) stays.
    const resuming = String(ctx.response.get('location')).startsWith(
      `${issuer}${engineRoutes.authorization}/`,
    );
    if (route === 'end_session_confirm' && ctx.status === 303 && ctx.oidc.params?.logout && !resuming) {
      await latchSignOuts.get(ctx.req)?.();
    }
  });
  installClientOverrides(provider, deps);
  installCustomClaims(provider);
  installJwtAccessTokens(provider, issuer, createAccessTokenSigner(deps.keys));
  installClientCredentialsScopes(provider);

  provider.on('authorization.success', (ctx: Untyped) => {
    // A consent given in this flow was audited when it was given.
    if (ctx.oidc.result?.consent || !ctx.oidc.session?.accountId) return;
    const pending = recordAuthorization(deps, ctx).catch(() => {});
    pendingWrites.add(pending);
    void pending.finally(() => pendingWrites.delete(pending));
  });
  return provider;
}

/**
 * Audits an authorization that needed no consent step (consent remembered or skipped). A device approval is
 * DEVICE_CODE_AUTHORIZATION (NEW_… the first time), as upstream, which also remembers the device's consent.
 */
async function recordAuthorization(deps: EngineDeps, ctx: Untyped): Promise<void> {
  const accountId = ctx.oidc.session.accountId;
  const clientId = ctx.oidc.client.clientId;
  const userAgent = ctx.get('user-agent');
  const now = deps.clock.now();
  let event: 'CLIENT_AUTHORIZATION' | 'DEVICE_CODE_AUTHORIZATION' | 'NEW_DEVICE_CODE_AUTHORIZATION';
  if (ctx.oidc.deviceCode) {
    const scopes = String(ctx.oidc.deviceCode.scope ?? '')
      .split(' ')
      .filter((scope) => supportedScopes.includes(scope));
    const { created } = await saveConsent(deps.db, { userId: accountId, clientId, scopes, now });
    event = created ? 'NEW_DEVICE_CODE_AUTHORIZATION' : 'DEVICE_CODE_AUTHORIZATION';
  } else {
    await touchConsent(deps.db, accountId, clientId, now);
    event = 'CLIENT_AUTHORIZATION';
  }
  await deps.audit.record({
    event,
    userId: accountId,
    ipAddress: ctx.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent : '',
    data: { clientName: ctx.oidc.client.clientName },
  });
}

/** Client matching, secrets and authentication methods as upstream has them. */
function installClientOverrides(provider: Untyped, deps: EngineDeps): void {
  const prototype = provider.Client.prototype;
  prototype.redirectUriAllowed = function redirectUriAllowed(this: Untyped, value: string) {
    return isCallbackUrlAllowed(this.latch_callback_urls ?? [], value);
  };
  prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(
    this: Untyped,
    value: string,
  ) {
    return isCallbackUrlAllowed(this.latch_logout_callback_urls ?? [], value);
  };
  prototype.compareClientSecret = async function compareClientSecret(this: Untyped, secret: string) {
    const ctx = Provider.ctx;
    if (ctx && isFederatedAuthenticated(ctx.req, this.clientId, secret)) return true;
    const client = await deps.clients.find(this.clientId);
    return client !== undefined && matchesStoredSecret(client.secrets, secret, deps.clock.now());
  };
  // A confidential client may authenticate with basic, post or a signed assertion; the engine expects one
  // registered method, so the method is the one the request presents.
  Object.defineProperty(prototype, 'clientAuthMethod', {
    configurable: true,
    get(this: Untyped) {
      return clientAuthMethodFor(this, Provider.ctx);
    },
  });
}

/** Custom claims have free-form names; they are released with the profile scope. */
function installCustomClaims(provider: Untyped): void {
  const BaseClaims = provider.Claims;
  class LatchClaims extends BaseClaims {
    async result() {
      const claims = await super.result();
      const { available } = this as Untyped;
      // ID tokens carry how the user signed in (phr = passkey, otp = login code), as upstream.
      if (Array.isArray(available.amr) && claims.sub !== undefined) claims.amr = available.amr;
      const custom = available.__latch_custom;
      if (custom && (this as Untyped).filter.preferred_username !== undefined) {
        for (const [key, value] of Object.entries(custom)) if (!(key in claims)) claims[key] = value;
      }
      return claims;
    }
  }
  Object.defineProperty(provider, 'Claims', { value: LatchClaims });
}

export const engineErrors = errors;
