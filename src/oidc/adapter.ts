import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../db/database.ts';
import { isUniqueViolation, parseJson } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { sha256Hex } from '../lib/crypto.ts';
import {
  hashTokenValue,
  jtiOfJwt,
  jwtAccessTokenKinds,
  presentedJwtValue,
  tokenHashField,
} from './access-tokens.ts';

/**
 * oidc-provider's protocol objects (sessions, grants, codes, tokens, interactions, device codes, PAR) in one
 * table. Identifiers are token values for most kinds, so rows are keyed by their SHA-256 and the payload is
 * stored without its `jti`; the value is put back when the engine looks a row up by it.
 */
export function createPayloadAdapter(deps: { db: Database; clock: Clock }, kind: string): Adapter {
  const { db, clock } = deps;
  const key = (id: string) => sha256Hex(id);
  // Sessions and device codes are also found by uid / user code, so they keep their id in the payload.
  const stripId = kind !== 'Session' && kind !== 'DeviceCode';
  const jwtValues = jwtAccessTokenKinds.has(kind);

  const toPayload = (
    id: string,
    row: { payload: string; consumed_at: string | null; expires_at: string | null },
  ): AdapterPayload | undefined => {
    if (row.expires_at && Date.parse(row.expires_at) <= clock.now().getTime()) return undefined;
    const payload = parseJson<AdapterPayload>(row.payload, {});
    if (stripId && payload.jti === undefined && id !== '') payload.jti = id;
    if (row.consumed_at) payload.consumed = Math.floor(Date.parse(row.consumed_at) / 1000);
    return payload;
  };

  return {
    async upsert(id, payload, expiresIn) {
      const stored: AdapterPayload = { ...payload };
      if (stripId && stored.jti === id) delete stored.jti;
      const values = {
        payload: JSON.stringify(stored),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ? key(payload.userCode) : null,
        uid: payload.uid ?? null,
        expires_at: expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000).toISOString() : null,
      };
      await db
        .insertInto('oidc_payloads')
        .values({ id: key(id), kind, consumed_at: null, ...values })
        .onConflict((conflict) => conflict.columns(['kind', 'id']).doUpdateSet(values))
        .execute();
    },

    async find(id) {
      // An access token's value is a JWT; its row is keyed by the jti and only the issued value matches.
      const jti = jwtValues ? jtiOfJwt(id) : undefined;
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['payload', 'consumed_at', 'expires_at'])
        .where('kind', '=', kind)
        .where('id', '=', key(jti ?? id))
        .executeTakeFirst();
      const payload = row && toPayload(jti ?? id, row);
      if (!payload || payload[tokenHashField] === undefined) return payload;
      const value = jti !== undefined ? id : presentedJwtValue(id);
      return value !== undefined && payload[tokenHashField] === hashTokenValue(value) ? payload : undefined;
    },

    async findByUserCode(userCode) {
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['payload', 'consumed_at', 'expires_at'])
        .where('kind', '=', kind)
        .where('user_code', '=', key(userCode))
        .executeTakeFirst();
      return row && toPayload('', row);
    },

    async findByUid(uid) {
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['payload', 'consumed_at', 'expires_at'])
        .where('kind', '=', kind)
        .where('uid', '=', uid)
        .executeTakeFirst();
      return row && toPayload('', row);
    },

    async consume(id) {
      await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: clock.now().toISOString() })
        .where('kind', '=', kind)
        .where('id', '=', key(id))
        .execute();
    },

    async destroy(id) {
      await db.deleteFrom('oidc_payloads').where('kind', '=', kind).where('id', '=', key(id)).execute();
    },

    async revokeByGrantId(grantId) {
      // Tokens, codes and the grant go; an interaction in progress is not issued by the grant and stays (a
      // select_account switch ends the old account's session, revoking its grants, and then resumes it).
      await db
        .deleteFrom('oidc_payloads')
        .where('grant_id', '=', grantId)
        .where('kind', '!=', 'Interaction')
        .execute();
    },
  };
}

/** Deletes protocol objects whose lifetime is over; run by a periodic job. */
export async function deleteExpiredPayloads(db: Database, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('oidc_payloads')
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Records a one-time value (an assertion's jti) until it expires. Returns false when it was already
 * recorded: the unique key makes concurrent replays fail too.
 */
export async function recordOnce(db: Database, kind: string, id: string, expiresAt: Date): Promise<boolean> {
  try {
    await db
      .insertInto('oidc_payloads')
      .values({
        id: sha256Hex(id),
        kind,
        payload: '{}',
        grant_id: null,
        user_code: null,
        uid: null,
        expires_at: expiresAt.toISOString(),
        consumed_at: null,
      })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
