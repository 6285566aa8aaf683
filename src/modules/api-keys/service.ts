import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { AuthContext, Authenticator } from '../../http/auth.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import type { ListQuery, Page } from '../../http/pagination.ts';
import { toPage } from '../../http/pagination.ts';
import type { Clock } from '../../lib/clock.ts';
import { constantTimeEqual, randomCode, sha256Hex } from '../../lib/crypto.ts';
import { toUser, type User } from '../users/repository.ts';
import {
  type ApiKey,
  deleteApiKeyOfUser,
  findApiKeyOfUser,
  insertApiKey,
  listApiKeysOfUser,
  renewApiKey,
  touchLiveApiKey,
} from './repository.ts';

export const apiKeyHeader = 'x-api-key';
export const staticApiKeyUserId = '00000000-0000-0000-0000-000000000000';
const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const sortableApiKeyColumns = ['name', 'expiresAt', 'lastUsedAt', 'createdAt'] as const;
type ApiKeySortColumn = (typeof sortableApiKeyColumns)[number];
const sortColumnNames = {
  name: 'name',
  expiresAt: 'expires_at',
  lastUsedAt: 'last_used_at',
  createdAt: 'created_at',
} as const;

/** The in-memory admin that STATIC_API_KEY acts as; it is not a database row. */
export function staticApiKeyUser(): User {
  const epoch = new Date(0).toISOString();
  return {
    id: staticApiKeyUserId,
    createdAt: epoch,
    updatedAt: epoch,
    username: 'static-api-key',
    email: null,
    emailVerified: false,
    firstName: 'Static',
    lastName: 'API Key',
    displayName: 'Static API Key',
    isAdmin: true,
    ldapId: null,
    locale: null,
    disabled: false,
  };
}

/** Recognises `X-API-Key`: STATIC_API_KEY first, then a stored, unexpired key (hashed lookup). */
export function createApiKeyAuthenticator(deps: {
  db: Database;
  clock: Clock;
  staticApiKey: string | undefined;
}): Authenticator {
  return async (request): Promise<AuthContext | null> => {
    const header = request.headers[apiKeyHeader];
    const token = typeof header === 'string' ? header.trim() : '';
    if (!token) return null;
    if (deps.staticApiKey && constantTimeEqual(token, deps.staticApiKey)) {
      return { user: staticApiKeyUser(), method: 'static_api_key', amr: [] };
    }
    const found = await touchLiveApiKey(deps.db, sha256Hex(token), deps.clock.now().toISOString());
    if (!found) return null;
    return { user: toUser(found.user), method: 'api_key', amr: [] };
  };
}

export function createApiKeys(deps: { db: Database; clock: Clock }) {
  const { db, clock } = deps;

  /** @throws AppError validation_error when the date is not in the future */
  function checkExpiry(expiresAt: string): string {
    const date = new Date(expiresAt);
    if (Number.isNaN(date.getTime()))
      throw badRequest('Invalid expiry date', { expiresAt: 'must be a date' });
    if (date.getTime() <= clock.now().getTime()) {
      throw badRequest('The expiry date must be in the future', { expiresAt: 'must be in the future' });
    }
    return date.toISOString();
  }

  return {
    async list(userId: string, query: ListQuery<ApiKeySortColumn>): Promise<Page<ApiKey>> {
      const { keys, totalItems } = await listApiKeysOfUser(db, userId, {
        limit: query.limit,
        offset: query.offset,
        sortColumn: query.sortColumn && sortColumnNames[query.sortColumn],
        sortDirection: query.sortDirection,
      });
      return toPage(keys, totalItems, query);
    },

    /** @throws AppError validation_error */
    async create(
      userId: string,
      input: { name: string; description?: string | null; expiresAt: string },
    ): Promise<{ apiKey: ApiKey; token: string }> {
      const expiresAt = checkExpiry(input.expiresAt);
      const token = randomCode(32, alphanumeric);
      const apiKey = await insertApiKey(db, {
        id: randomUUID(),
        created_at: clock.now().toISOString(),
        name: input.name,
        description: input.description ?? null,
        key_hash: sha256Hex(token),
        expires_at: expiresAt,
        last_used_at: null,
        expiration_email_sent: false,
        user_id: userId,
      });
      return { apiKey, token };
    },

    /** A new token and expiry for an existing key. @throws AppError not_found, validation_error */
    async renew(
      userId: string,
      id: string,
      input: { expiresAt: string },
    ): Promise<{ apiKey: ApiKey; token: string }> {
      const expiresAt = checkExpiry(input.expiresAt);
      const existing = await findApiKeyOfUser(db, userId, id);
      if (!existing) throw notFound('not_found', 'API key not found');
      const token = randomCode(32, alphanumeric);
      await renewApiKey(db, id, { keyHash: sha256Hex(token), expiresAt });
      return { apiKey: { ...existing, expiresAt }, token };
    },

    /** @throws AppError not_found */
    async revoke(userId: string, id: string): Promise<void> {
      if (!(await deleteApiKeyOfUser(db, userId, id))) throw notFound('not_found', 'API key not found');
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
