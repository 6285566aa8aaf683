import { type SqlBool, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { databaseDialect, parseJson, toBool } from '../../db/database.ts';
import type { OidcClientSecretsTable, OidcClientsTable } from '../../db/types.ts';
import { likeContains } from '../../http/pagination.ts';

export interface FederatedIdentity {
  issuer: string;
  subject?: string;
  audience?: string;
  jwks?: string;
  replayProtection?: boolean;
}

/** The `credentials` JSON column, as the OIDC engine reads it (src/oidc/clients-repository.ts). */
export interface ClientCredentials {
  federatedIdentities: FederatedIdentity[];
  /** Public keys for private_key_jwt: a URL serving a JWK Set, or an inline one. */
  jwksUri: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
}

export interface Client {
  id: string;
  name: string;
  description: string;
  callbackURLs: string[];
  logoutCallbackURLs: string[];
  backChannelLogoutUrl: string | null;
  isPublic: boolean;
  pkceEnabled: boolean;
  requiresReauthentication: boolean;
  skipConsent: boolean;
  isGroupRestricted: boolean;
  launchURL: string | null;
  imageType: string | null;
  darkImageType: string | null;
  credentials: ClientCredentials;
  accessTokenDurationMinutes: number;
  refreshTokenDurationMinutes: number;
  createdAt: string;
  createdById: string | null;
}

export function toClient(row: OidcClientsTable): Client {
  const credentials = parseJson<Partial<ClientCredentials>>(row.credentials, {});
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    callbackURLs: parseJson<string[]>(row.callback_urls, []),
    logoutCallbackURLs: parseJson<string[]>(row.logout_callback_urls, []),
    backChannelLogoutUrl: row.back_channel_logout_url,
    isPublic: toBool(row.is_public),
    pkceEnabled: toBool(row.pkce_enabled),
    requiresReauthentication: toBool(row.requires_reauthentication),
    skipConsent: toBool(row.skip_consent),
    isGroupRestricted: toBool(row.is_group_restricted),
    launchURL: row.launch_url,
    imageType: row.image_type,
    darkImageType: row.dark_image_type,
    credentials: {
      federatedIdentities: credentials.federatedIdentities ?? [],
      jwksUri: credentials.jwksUri ?? null,
      jwks: credentials.jwks ?? null,
    },
    accessTokenDurationMinutes: Number(row.access_token_duration_minutes),
    refreshTokenDurationMinutes: Number(row.refresh_token_duration_minutes),
    createdAt: row.created_at,
    createdById: row.created_by_id,
  };
}

export function toClientRow(client: Client, updatedAt: string): OidcClientsTable {
  return {
    id: client.id,
    created_at: client.createdAt,
    updated_at: updatedAt,
    name: client.name,
    description: client.description,
    callback_urls: JSON.stringify(client.callbackURLs),
    logout_callback_urls: JSON.stringify(client.logoutCallbackURLs),
    back_channel_logout_url: client.backChannelLogoutUrl,
    image_type: client.imageType,
    dark_image_type: client.darkImageType,
    created_by_id: client.createdById,
    is_public: client.isPublic,
    pkce_enabled: client.pkceEnabled,
    requires_reauthentication: client.requiresReauthentication,
    skip_consent: client.skipConsent,
    is_group_restricted: client.isGroupRestricted,
    launch_url: client.launchURL,
    access_token_duration_minutes: client.accessTokenDurationMinutes,
    refresh_token_duration_minutes: client.refreshTokenDurationMinutes,
    credentials: JSON.stringify(credentialsColumn(client.credentials)),
  };
}

/** Stores only what is set, in the shape the engine reads. */
function credentialsColumn(credentials: ClientCredentials): Record<string, unknown> {
  return {
    federatedIdentities: credentials.federatedIdentities,
    ...(credentials.jwksUri && { jwksUri: credentials.jwksUri }),
    ...(credentials.jwks && { jwks: credentials.jwks }),
  };
}

export async function findClientById(db: Database, id: string): Promise<Client | undefined> {
  const row = await db.selectFrom('oidc_clients').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toClient(row);
}

export async function insertClient(db: Database, client: Client): Promise<void> {
  await db.insertInto('oidc_clients').values(toClientRow(client, client.createdAt)).execute();
}

/** Writes every column except id and created_at. */
export async function saveClient(db: Database, client: Client, updatedAt: string): Promise<void> {
  const { id: _id, created_at: _created, ...values } = toClientRow(client, updatedAt);
  await db.updateTable('oidc_clients').set(values).where('id', '=', client.id).execute();
}

export const sortableClientColumns = ['name', 'createdAt', 'id'] as const;
export type ClientSortColumn = (typeof sortableClientColumns)[number];

export async function listClients(
  db: Database,
  options: {
    search?: string;
    sortColumn?: ClientSortColumn;
    sortDirection: 'asc' | 'desc';
    limit: number;
    offset: number;
  },
): Promise<{ clients: Array<Client & { allowedUserGroupsCount: number }>; totalItems: number }> {
  let base = db.selectFrom('oidc_clients');
  if (options.search) {
    const pattern = likeContains(options.search);
    base = base.where(
      sql<SqlBool>`(lower(name) like ${pattern} escape '\\' or lower(id) like ${pattern} escape '\\')`,
    );
  }
  const count = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const column =
    options.sortColumn === 'createdAt' ? 'created_at' : options.sortColumn === 'id' ? 'id' : 'name';
  const rows = await base
    .selectAll('oidc_clients')
    .select((eb) =>
      eb
        .selectFrom('oidc_clients_allowed_user_groups')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('oidc_clients_allowed_user_groups.oidc_client_id', '=', 'oidc_clients.id')
        .as('group_count'),
    )
    .orderBy(column, options.sortDirection)
    .orderBy('id')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return {
    clients: rows.map(({ group_count, ...row }) => ({
      ...toClient(row),
      allowedUserGroupsCount: Number(group_count ?? 0),
    })),
    totalItems: Number(count.count),
  };
}

export async function listAllowedGroupsOfClient(
  db: Database,
  clientId: string,
): Promise<Array<{ id: string; friendlyName: string; name: string }>> {
  const rows = await db
    .selectFrom('oidc_clients_allowed_user_groups')
    .innerJoin('user_groups', 'user_groups.id', 'oidc_clients_allowed_user_groups.user_group_id')
    .select(['user_groups.id', 'user_groups.friendly_name', 'user_groups.name'])
    .where('oidc_clients_allowed_user_groups.oidc_client_id', '=', clientId)
    .orderBy('user_groups.name')
    .execute();
  return rows.map((row) => ({ id: row.id, friendlyName: row.friendly_name, name: row.name }));
}

/** Replaces the client's allowed groups; returns unknown group ids (nothing changed then). */
export async function replaceAllowedGroupsOfClient(
  db: Database,
  clientId: string,
  groupIds: readonly string[],
) {
  const unique = [...new Set(groupIds)];
  return db.transaction().execute(async (trx) => {
    if (unique.length > 0) {
      const found = await trx.selectFrom('user_groups').select('id').where('id', 'in', unique).execute();
      const known = new Set(found.map((row) => row.id));
      const missing = unique.filter((id) => !known.has(id));
      if (missing.length > 0) return missing;
    }
    await trx.deleteFrom('oidc_clients_allowed_user_groups').where('oidc_client_id', '=', clientId).execute();
    if (unique.length > 0) {
      await trx
        .insertInto('oidc_clients_allowed_user_groups')
        .values(unique.map((groupId) => ({ oidc_client_id: clientId, user_group_id: groupId })))
        .execute();
    }
    return [];
  });
}

/**
 * Deletes the client and every protocol object issued to it (codes, tokens, grants, sessions entries stored
 * by the OIDC adapter with a `clientId`). Consents, secrets and group links cascade.
 */
export async function deleteClientAndTokens(db: Database, clientId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const clientIdOfPayload =
      databaseDialect(db) === 'postgres'
        ? sql`payload->>'clientId'`
        : sql`json_extract(payload, '$.clientId')`;
    await trx.deleteFrom('oidc_payloads').where(clientIdOfPayload, '=', clientId).execute();
    const result = await trx.deleteFrom('oidc_clients').where('id', '=', clientId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

// Secrets ------------------------------------------------------------------------------------------------

export async function listSecretsOfClient(db: Database, clientId: string): Promise<OidcClientSecretsTable[]> {
  return db
    .selectFrom('oidc_client_secrets')
    .selectAll()
    .where('client_id', '=', clientId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function countSecretsOfClient(db: Database, clientId: string): Promise<number> {
  const row = await db
    .selectFrom('oidc_client_secrets')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('client_id', '=', clientId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertSecret(db: Database, row: OidcClientSecretsTable): Promise<void> {
  await db.insertInto('oidc_client_secrets').values(row).execute();
}

export async function deleteSecret(db: Database, clientId: string, secretId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('oidc_client_secrets')
    .where('client_id', '=', clientId)
    .where('id', '=', secretId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// Public clients have no secrets ------------------------------------------------------------------

export async function deleteSecretsOfClient(db: Database, clientId: string): Promise<void> {
  await db.deleteFrom('oidc_client_secrets').where('client_id', '=', clientId).execute();
}
