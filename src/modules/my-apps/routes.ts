import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import type { Guards } from '../../http/auth.ts';
import { notFound } from '../../http/errors.ts';
import { listQuerySchema, pageSchema, parseListQuery, toPage } from '../../http/pagination.ts';
import type { App, HttpModule } from '../../http/server.ts';
import {
  listAccessibleClients,
  listAuthorizedClients,
  revokeAuthorization,
  userExists,
} from './repository.ts';

const clientSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  hasLogo: z.boolean(),
  hasDarkLogo: z.boolean(),
  launchURL: z.string().nullable(),
  requiresReauthentication: z.boolean(),
  clientType: z.string(),
});
const accessibleClientSchema = clientSummarySchema.extend({ lastUsedAt: z.string().nullable() });
const authorizedClientSchema = z.object({
  scope: z.string(),
  client: clientSummarySchema,
  lastUsedAt: z.string(),
});

/** "My Apps": the clients a user may use and the ones they authorized (with revoke). */
export function createMyAppsModule(deps: { db: Database; guards: Guards }): HttpModule {
  const { db, guards } = deps;
  const tags = ['My apps'];
  const authorizedOf = async (userId: string, query: z.infer<typeof listQuerySchema>) => {
    const page = parseListQuery(query, []);
    const { items, totalItems } = await listAuthorizedClients(db, userId, page);
    return toPage(items, totalItems, page);
  };
  return {
    register(app: App) {
      app.get(
        '/api/oidc/users/me/clients',
        {
          preValidation: guards.requireUser,
          schema: {
            tags,
            summary: 'Clients you may sign in to, most recently used first',
            querystring: listQuerySchema,
            response: { 200: pageSchema(accessibleClientSchema) },
          },
        },
        async (request) => {
          const page = parseListQuery(request.query, []);
          const { clients, totalItems } = await listAccessibleClients(db, request.auth?.user.id ?? '', page);
          return toPage(clients, totalItems, page);
        },
      );
      app.get(
        '/api/oidc/users/me/authorized-clients',
        {
          preValidation: guards.requireUser,
          schema: {
            tags,
            summary: 'Clients you authorized',
            querystring: listQuerySchema,
            response: { 200: pageSchema(authorizedClientSchema) },
          },
        },
        (request) => authorizedOf(request.auth?.user.id ?? '', request.query),
      );
      app.delete(
        '/api/oidc/users/me/authorized-clients/:clientId',
        {
          preValidation: guards.requireUser,
          schema: {
            tags,
            summary: "Revoke a client's authorization and end its refresh tokens",
            params: z.object({ clientId: z.string().min(1).max(256) }),
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          const revoked = await revokeAuthorization(db, request.auth?.user.id ?? '', request.params.clientId);
          if (!revoked) throw notFound('client_not_found', 'You have not authorized this client');
          return reply.code(204).send(null);
        },
      );
      app.get(
        '/api/oidc/users/:id/authorized-clients',
        {
          preValidation: guards.requireAdmin,
          schema: {
            tags,
            summary: 'Clients a user authorized (admin)',
            params: z.object({ id: z.string().min(1).max(128) }),
            querystring: listQuerySchema,
            response: { 200: pageSchema(authorizedClientSchema) },
          },
        },
        async (request) => {
          if (!(await userExists(db, request.params.id))) throw notFound('user_not_found', 'User not found');
          return authorizedOf(request.params.id, request.query);
        },
      );
    },
  };
}
