import { z } from 'zod';
import type { Guards } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import { listQuerySchema, pageSchema, parseListQuery } from '../../http/pagination.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { type ApiKeys, sortableApiKeyColumns, staticApiKeyUserId } from './service.ts';

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});
const apiKeyWithTokenSchema = z.object({ apiKey: apiKeySchema, token: z.string() });
const expiresAtSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time' });
const apiKeyCreateSchema = z.object({
  name: z.string().min(3, 'must be at least 3 characters').max(50, 'must be at most 50 characters'),
  description: z.string().max(255).nullish(),
  expiresAt: expiresAtSchema,
});
const params = z.object({ id: z.string().min(1).max(128) });

/** The caller's own API keys (any signed-in user, as upstream). */
export function createApiKeysModule(deps: { apiKeys: ApiKeys; guards: Guards }): HttpModule {
  const { apiKeys, guards } = deps;
  const tags = ['API keys'];
  const ownerOf = (request: { auth: { user: { id: string } } | null }): string => {
    const id = request.auth?.user.id ?? '';
    // The static key is not a user row: it cannot own keys.
    if (id === staticApiKeyUserId) throw new AppError('forbidden', 403, 'STATIC_API_KEY cannot own API keys');
    return id;
  };
  return {
    register(app: App) {
      app.get(
        '/api/api-keys',
        {
          preValidation: guards.requireUser,
          schema: {
            tags,
            summary: 'List your API keys',
            querystring: listQuerySchema,
            response: { 200: pageSchema(apiKeySchema) },
          },
        },
        (request) => apiKeys.list(ownerOf(request), parseListQuery(request.query, sortableApiKeyColumns)),
      );
      app.post(
        '/api/api-keys',
        {
          preValidation: guards.requireSession,
          schema: {
            tags,
            summary: 'Create an API key (the token is shown once)',
            body: apiKeyCreateSchema,
            response: { 201: apiKeyWithTokenSchema },
          },
        },
        async (request, reply) => reply.code(201).send(await apiKeys.create(ownerOf(request), request.body)),
      );
      app.post(
        '/api/api-keys/:id/renew',
        {
          preValidation: guards.requireSession,
          schema: {
            tags,
            summary: 'Renew an API key with a new token and expiry',
            params,
            body: z.object({ expiresAt: expiresAtSchema }),
            response: { 200: apiKeyWithTokenSchema },
          },
        },
        (request) => apiKeys.renew(ownerOf(request), request.params.id, request.body),
      );
      app.delete(
        '/api/api-keys/:id',
        {
          preValidation: guards.requireUser,
          schema: { tags, summary: 'Revoke an API key', params, response: { 204: z.null() } },
        },
        async (request, reply) => {
          await apiKeys.revoke(ownerOf(request), request.params.id);
          return reply.code(204).send(null);
        },
      );
    },
  };
}
