import { type SqlBool, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { databaseDialect, parseJson, toBool } from '../../db/database.ts';

export interface ClientSummary {
  id: string;
  name: string;
  description: string;
  hasLogo: boolean;
  hasDarkLogo: boolean;
  launchURL: string | null;
  requiresReauthentication: boolean;
  clientType: string;
}

const summaryColumns = [
  'oidc_clients.id',
  'oidc_clients.name',
  'oidc_clients.description',
  'oidc_clients.image_type',
  'oidc_clients.dark_image_type',
  'oidc_clients.launch_url',
  'oidc_clients.requires_reauthentication',
] as const;

function toSummary(row: {
  id: string;
  name: string;
  description: string;
  image_type: string | null;
  dark_image_type: string | null;
  launch_url: string | null;
  requires_reauthentication: boolean | number;
}): ClientSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    hasLogo: row.image_type !== null,
    hasDarkLogo: row.dark_image_type !== null,
    launchURL: row.launch_url,
    requiresReauthentication: toBool(row.requires_reauthentication),
    clientType: 'standard',
  };
}

/** Clients the user may sign in to: unrestricted ones, and restricted ones allowing one of the user's groups. */
export async function listAccessibleClients(
  db: Database,
  userId: string,
  page: { limit: number; offset: number },
): Promise<{ clients: Array<ClientSummary & { lastUsedAt: string | null }>; totalItems: number }> {
  const base = db
    .selectFrom('oidc_clients')
    .leftJoin('user_authorized_oidc_clients as consent', (join) =>
      join.onRef('consent.client_id', '=', 'oidc_clients.id').on('consent.user_id', '=', userId),
    )
    .where((eb) =>
      eb.or([
        sql<SqlBool>`not oidc_clients.is_group_restricted`,
        eb.exists(
          eb
            .selectFrom('oidc_clients_allowed_user_groups as allowed')
            .innerJoin('user_groups_users as member', 'member.user_group_id', 'allowed.user_group_id')
            .select('allowed.oidc_client_id')
            .whereRef('allowed.oidc_client_id', '=', 'oidc_clients.id')
            .where('member.user_id', '=', userId),
        ),
      ]),
    );
  const count = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await base
    .select([...summaryColumns, 'consent.last_used_at'])
    .orderBy(sql`consent.last_used_at is null`)
    .orderBy('consent.last_used_at', 'desc')
    .orderBy('oidc_clients.name')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    clients: rows.map((row) => ({ ...toSummary(row), lastUsedAt: row.last_used_at ?? null })),
    totalItems: Number(count.count),
  };
}

export async function listAuthorizedClients(
  db: Database,
  userId: string,
  page: { limit: number; offset: number },
): Promise<{
  items: Array<{ scope: string; client: ClientSummary; lastUsedAt: string }>;
  totalItems: number;
}> {
  const base = db
    .selectFrom('user_authorized_oidc_clients as consent')
    .innerJoin('oidc_clients', 'oidc_clients.id', 'consent.client_id')
    .where('consent.user_id', '=', userId);
  const count = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await base
    .select([...summaryColumns, 'consent.scope', 'consent.last_used_at'])
    .orderBy('consent.last_used_at', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    items: rows.map((row) => ({
      scope: parseJson<string[]>(row.scope, []).join(' '),
      client: toSummary(row),
      lastUsedAt: row.last_used_at,
    })),
    totalItems: Number(count.count),
  };
}

/** Removes the consent and every token/grant the client holds for the user. */
export async function revokeAuthorization(db: Database, userId: string, clientId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const postgres = databaseDialect(db) === 'postgres';
    const clientOf = postgres ? sql`payload->>'clientId'` : sql`json_extract(payload, '$.clientId')`;
    const accountOf = postgres ? sql`payload->>'accountId'` : sql`json_extract(payload, '$.accountId')`;
    await trx
      .deleteFrom('oidc_payloads')
      .where(sql<SqlBool>`${clientOf} = ${clientId} and ${accountOf} = ${userId}`)
      .execute();
    const result = await trx
      .deleteFrom('user_authorized_oidc_clients')
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

export async function userExists(db: Database, id: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
