import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { parseJson, toBool } from '../db/database.ts';
import { constantTimeEqual, sha256Hex } from '../lib/crypto.ts';

/** A relying party trusted through another issuer's signed assertions (RFC 7523). */
export interface FederatedIdentity {
  readonly issuer: string;
  /** Defaults to the client id. */
  readonly subject?: string;
  /** Defaults to APP_URL. */
  readonly audience?: string;
  /** Defaults to `<issuer>/.well-known/jwks.json`. */
  readonly jwks?: string;
  readonly replayProtection?: boolean;
}

export interface ClientCredentials {
  readonly federatedIdentities?: readonly FederatedIdentity[];
  /** Public keys for private_key_jwt: an inline JWK Set or a URL serving one. */
  readonly jwks?: { keys: Record<string, unknown>[] };
  readonly jwksUri?: string;
}

export interface OidcClientRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly callbackUrls: string[];
  readonly logoutCallbackUrls: string[];
  readonly backChannelLogoutUrl: string | null;
  readonly hasLogo: boolean;
  readonly hasDarkLogo: boolean;
  readonly isPublic: boolean;
  readonly pkceEnabled: boolean;
  readonly requiresReauthentication: boolean;
  readonly skipConsent: boolean;
  readonly isGroupRestricted: boolean;
  readonly launchUrl: string | null;
  readonly accessTokenDurationMinutes: number;
  readonly refreshTokenDurationMinutes: number;
  readonly credentials: ClientCredentials;
}

export async function findClientById(db: Database, id: string): Promise<OidcClientRecord | undefined> {
  const row = await db.selectFrom('oidc_clients').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    callbackUrls: parseJson<string[]>(row.callback_urls, []),
    logoutCallbackUrls: parseJson<string[]>(row.logout_callback_urls, []),
    backChannelLogoutUrl: row.back_channel_logout_url,
    hasLogo: row.image_type !== null,
    hasDarkLogo: row.dark_image_type !== null,
    isPublic: toBool(row.is_public),
    pkceEnabled: toBool(row.pkce_enabled),
    requiresReauthentication: toBool(row.requires_reauthentication),
    skipConsent: toBool(row.skip_consent),
    isGroupRestricted: toBool(row.is_group_restricted),
    launchUrl: row.launch_url,
    accessTokenDurationMinutes: row.access_token_duration_minutes,
    refreshTokenDurationMinutes: row.refresh_token_duration_minutes,
    credentials: parseJson<ClientCredentials>(row.credentials, {}),
  };
}

export interface StoredSecret {
  /** `sha256:<hex>` */
  readonly hash: string;
  readonly expiresAt: string | null;
}

export async function listSecretHashesOfClient(db: Database, clientId: string): Promise<StoredSecret[]> {
  const rows = await db
    .selectFrom('oidc_client_secrets')
    .select(['hash', 'expires_at'])
    .where('client_id', '=', clientId)
    .execute();
  return rows.map((row) => ({ hash: row.hash, expiresAt: row.expires_at }));
}

/** Any stored secret that has not expired matches; every one is compared, in constant time. */
export function matchesStoredSecret(secrets: readonly StoredSecret[], secret: string, now: Date): boolean {
  const candidate = `sha256:${sha256Hex(secret)}`;
  let matched = false;
  for (const stored of secrets) {
    if (stored.expiresAt && Date.parse(stored.expiresAt) <= now.getTime()) continue;
    if (constantTimeEqual(stored.hash, candidate)) matched = true;
  }
  return matched;
}

export async function listAllowedGroupIdsOfClient(db: Database, clientId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('oidc_clients_allowed_user_groups')
    .select('user_group_id')
    .where('oidc_client_id', '=', clientId)
    .execute();
  return rows.map((row) => row.user_group_id);
}

/** True when the client is open to everyone, or the user belongs to one of its allowed groups. */
export async function isUserAllowedForClient(
  db: Database,
  clientId: string,
  userId: string,
): Promise<boolean> {
  const client = await db
    .selectFrom('oidc_clients')
    .select('is_group_restricted')
    .where('id', '=', clientId)
    .executeTakeFirst();
  if (!client) return false;
  if (!toBool(client.is_group_restricted)) return true;
  const membership = await db
    .selectFrom('oidc_clients_allowed_user_groups as allowed')
    .innerJoin('user_groups_users as member', 'member.user_group_id', 'allowed.user_group_id')
    .select('member.user_id')
    .where('allowed.oidc_client_id', '=', clientId)
    .where('member.user_id', '=', userId)
    .executeTakeFirst();
  return membership !== undefined;
}

export interface NewClient {
  readonly id?: string;
  readonly name: string;
  readonly callbackUrls: string[];
  readonly logoutCallbackUrls?: string[];
  readonly backChannelLogoutUrl?: string | null;
  readonly isPublic?: boolean;
  readonly pkceEnabled?: boolean;
  readonly requiresReauthentication?: boolean;
  readonly skipConsent?: boolean;
  readonly isGroupRestricted?: boolean;
  readonly allowedUserGroupIds?: string[];
  readonly accessTokenDurationMinutes?: number;
  readonly refreshTokenDurationMinutes?: number;
  readonly credentials?: ClientCredentials;
  /** Plaintext secret to store hashed; confidential clients only. */
  readonly secret?: string;
  readonly createdById?: string | null;
}

/** Inserts a client (and its secret) in one transaction; returns the client id. */
export async function insertClient(db: Database, client: NewClient, now = new Date()): Promise<string> {
  const id = client.id ?? randomUUID();
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('oidc_clients')
      .values({
        id,
        created_at: at,
        updated_at: at,
        name: client.name,
        description: '',
        callback_urls: JSON.stringify(client.callbackUrls),
        logout_callback_urls: JSON.stringify(client.logoutCallbackUrls ?? []),
        back_channel_logout_url: client.backChannelLogoutUrl ?? null,
        image_type: null,
        dark_image_type: null,
        created_by_id: client.createdById ?? null,
        is_public: client.isPublic ?? false,
        pkce_enabled: client.pkceEnabled ?? false,
        requires_reauthentication: client.requiresReauthentication ?? false,
        skip_consent: client.skipConsent ?? false,
        is_group_restricted: client.isGroupRestricted ?? false,
        launch_url: null,
        access_token_duration_minutes: client.accessTokenDurationMinutes ?? 60,
        refresh_token_duration_minutes: client.refreshTokenDurationMinutes ?? 43200,
        credentials: JSON.stringify(client.credentials ?? {}),
      })
      .execute();
    if (client.secret) {
      await trx
        .insertInto('oidc_client_secrets')
        .values({
          id: randomUUID(),
          client_id: id,
          hash: `sha256:${sha256Hex(client.secret)}`,
          prefix: client.secret.slice(0, 4),
          created_at: at,
          expires_at: null,
        })
        .execute();
    }
    for (const groupId of client.allowedUserGroupIds ?? []) {
      await trx
        .insertInto('oidc_clients_allowed_user_groups')
        .values({ oidc_client_id: id, user_group_id: groupId })
        .execute();
    }
  });
  return id;
}

/** The scopes a user already consented to for a client, or undefined when never. */
export async function findConsentedScopes(
  db: Database,
  userId: string,
  clientId: string,
): Promise<string[] | undefined> {
  const row = await db
    .selectFrom('user_authorized_oidc_clients')
    .select('scope')
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row ? parseJson<string[]>(row.scope, []) : undefined;
}

/** Merges scopes into the user's consent for the client; returns whether the consent is new. */
export async function saveConsent(
  db: Database,
  input: { userId: string; clientId: string; scopes: readonly string[]; now: Date },
): Promise<{ created: boolean }> {
  const existing = await findConsentedScopes(db, input.userId, input.clientId);
  const merged = [...new Set([...(existing ?? []), ...input.scopes])];
  await db
    .insertInto('user_authorized_oidc_clients')
    .values({
      user_id: input.userId,
      client_id: input.clientId,
      scope: JSON.stringify(merged),
      last_used_at: input.now.toISOString(),
    })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'client_id']).doUpdateSet({
        scope: JSON.stringify(merged),
        last_used_at: input.now.toISOString(),
      }),
    )
    .execute();
  return { created: existing === undefined };
}

export async function touchConsent(db: Database, userId: string, clientId: string, now: Date): Promise<void> {
  await db
    .updateTable('user_authorized_oidc_clients')
    .set({ last_used_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .execute();
}

export async function readKeyStoreRecord(db: Database, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function writeKeyStoreRecord(db: Database, key: string, value: string): Promise<void> {
  await db
    .insertInto('kv')
    .values({ key, value })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
    .execute();
}
