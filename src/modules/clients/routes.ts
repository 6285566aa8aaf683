import { z } from 'zod';
import type { Guards } from '../../http/auth.ts';
import { listQuerySchema, pageSchema, parseListQuery } from '../../http/pagination.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { readUploadedFile } from '../../http/uploads.ts';
import { imageContentTypes } from '../../lib/images.ts';
import { staticApiKeyUserId } from '../api-keys/service.ts';
import { sortableClientColumns } from './repository.ts';
import {
  type ClientSchemaOptions,
  clientBodySchemas,
  clientDetailSchema,
  clientMetaSchema,
  clientSchema,
  clientIdParams as params,
  secretCreateSchema,
  secretSchema,
  tokenPreviewSchema,
} from './schemas.ts';
import { type ClientsAdmin, maxLogoBytes } from './service.ts';

const lightQuery = z.object({ light: z.enum(['true', 'false']).optional() });

/** OIDC client management (`/api/oidc/clients`), as upstream v2.14. */
export function createClientsModule(deps: {
  clients: ClientsAdmin;
  guards: Guards;
  options: ClientSchemaOptions;
}): HttpModule {
  const { clients, guards } = deps;
  const { create: clientCreateSchema, update: clientUpdateSchema } = clientBodySchemas(deps.options);
  const preValidation = guards.requireAdmin;
  const tags = ['OIDC clients'];
  return {
    register(app: App) {
      app.get(
        '/api/oidc/clients',
        {
          preValidation,
          schema: {
            tags,
            summary: 'List OIDC clients',
            querystring: listQuerySchema,
            response: { 200: pageSchema(clientSchema) },
          },
        },
        (request) => clients.list(parseListQuery(request.query, sortableClientColumns)),
      );
      app.post(
        '/api/oidc/clients',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Create an OIDC client (generated UUID or a custom id)',
            body: clientCreateSchema,
            response: { 201: clientDetailSchema },
          },
        },
        async (request, reply) => {
          const actorId = request.auth?.user.id ?? null;
          const createdBy = actorId === staticApiKeyUserId ? null : actorId;
          return reply.code(201).send(await clients.create(request.body, createdBy));
        },
      );
      app.get(
        '/api/oidc/clients/:id',
        {
          preValidation,
          schema: { tags, summary: 'Get an OIDC client', params, response: { 200: clientDetailSchema } },
        },
        (request) => clients.get(request.params.id),
      );
      app.put(
        '/api/oidc/clients/:id',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Update an OIDC client (fields left out keep their values)',
            params,
            body: clientUpdateSchema,
            response: { 200: clientDetailSchema },
          },
        },
        (request) => clients.update(request.params.id, request.body),
      );
      app.delete(
        '/api/oidc/clients/:id',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Delete an OIDC client, its tokens and consents',
            params,
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          await clients.remove(request.params.id);
          return reply.code(204).send(null);
        },
      );
      app.get(
        '/api/oidc/clients/:id/meta',
        {
          schema: {
            tags,
            summary: 'Public facts about a client',
            params,
            response: { 200: clientMetaSchema },
          },
        },
        (request) => clients.meta(request.params.id),
      );
      app.get(
        '/api/oidc/clients/:id/preview/:userId',
        {
          preValidation,
          schema: {
            tags,
            summary: 'The ID token, access token and userinfo claims a user would get (nothing is issued)',
            params: params.extend({ userId: z.string().min(1).max(128) }),
            querystring: z.object({
              scopes: z
                .string()
                .max(1000)
                .optional()
                .describe('Space-separated scopes (default "openid profile email groups")'),
            }),
            response: { 200: tokenPreviewSchema },
          },
        },
        (request) =>
          clients.preview(
            request.params.id,
            request.params.userId,
            (request.query.scopes ?? 'openid profile email groups').split(/[\s+]+/).filter(Boolean),
          ),
      );
      app.put(
        '/api/oidc/clients/:id/allowed-user-groups',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Replace the groups allowed to use the client',
            params,
            body: z.object({ userGroupIds: z.array(z.string()).max(1000) }),
            response: { 200: clientDetailSchema },
          },
        },
        (request) => clients.replaceAllowedGroups(request.params.id, request.body.userGroupIds),
      );

      app.get(
        '/api/oidc/clients/:id/secrets',
        {
          preValidation,
          schema: {
            tags,
            summary: "List a client's secrets (by prefix)",
            params,
            response: { 200: z.array(secretSchema) },
          },
        },
        (request) => clients.listSecrets(request.params.id),
      );
      app.post(
        '/api/oidc/clients/:id/secrets',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Create a client secret (the plaintext is shown once)',
            params,
            body: secretCreateSchema,
            response: { 201: secretSchema.extend({ secret: z.string() }) },
          },
        },
        async (request, reply) =>
          reply.code(201).send(await clients.createSecret(request.params.id, request.body ?? {})),
      );
      app.delete(
        '/api/oidc/clients/:id/secrets/:secretId',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Delete a client secret',
            params: params.extend({ secretId: z.string().min(1).max(128) }),
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          await clients.deleteSecret(request.params.id, request.params.secretId);
          return reply.code(204).send(null);
        },
      );
      app.post(
        '/api/oidc/clients/:id/secret',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Deprecated: create a new client secret',
            deprecated: true,
            params,
            response: { 200: z.object({ secret: z.string() }) },
          },
        },
        async (request) => ({ secret: (await clients.createSecret(request.params.id)).secret }),
      );

      app.get(
        '/api/oidc/clients/:id/logo',
        { schema: { tags, summary: "A client's logo", params, querystring: lightQuery } },
        async (request, reply) => {
          const { type, data } = await clients.readLogo(request.params.id, request.query.light === 'false');
          return reply
            .header('content-type', imageContentTypes[type])
            .header('cache-control', 'public, max-age=900')
            .header('x-content-type-options', 'nosniff')
            .send(data);
        },
      );
      app.post(
        '/api/oidc/clients/:id/logo',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Upload a logo (multipart `file`, at most 2 MiB)',
            params,
            querystring: lightQuery,
            consumes: ['multipart/form-data'],
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          const data = await readUploadedFile(request, maxLogoBytes);
          await clients.uploadLogo(request.params.id, request.query.light === 'false', data);
          return reply.code(204).send(null);
        },
      );
      app.delete(
        '/api/oidc/clients/:id/logo',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Remove a logo',
            params,
            querystring: lightQuery,
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          await clients.deleteLogo(request.params.id, request.query.light === 'false');
          return reply.code(204).send(null);
        },
      );
    },
  };
}
