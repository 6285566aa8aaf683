import { z } from 'zod';
import type { Guards } from '../../http/auth.ts';
import { listQuerySchema, pageSchema, parseListQuery } from '../../http/pagination.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { customClaimSchema } from '../custom-claims/routes.ts';
import { sortableGroupColumns } from './repository.ts';
import type { GroupsAdmin } from './service.ts';

const groupNameSchema = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(255, 'must be at most 255 characters')
  .regex(/^[a-zA-Z0-9_.:-]+$/, 'may contain only letters, digits and _ . : -');
const friendlyNameSchema = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(50, 'must be at most 50 characters');

const groupSchema = z.object({
  id: z.string(),
  friendlyName: z.string(),
  name: z.string(),
  customClaims: z.array(customClaimSchema),
  ldapId: z.string().nullable(),
  createdAt: z.string(),
  userCount: z.number().int(),
});
const groupDetailSchema = groupSchema.extend({
  users: z.array(
    z.object({
      id: z.string(),
      username: z.string(),
      email: z.string().nullable(),
      firstName: z.string(),
      lastName: z.string(),
      displayName: z.string(),
      isAdmin: z.boolean(),
      disabled: z.boolean(),
    }),
  ),
  allowedOidcClients: z.array(z.object({ id: z.string(), name: z.string() })),
});
const params = z.object({ id: z.string().min(1).max(128) });

export function createGroupsModule(deps: { groups: GroupsAdmin; guards: Guards }): HttpModule {
  const { groups, guards } = deps;
  const preValidation = guards.requireAdmin;
  const tags = ['User groups'];
  return {
    register(app: App) {
      app.get(
        '/api/user-groups',
        {
          preValidation,
          schema: {
            tags,
            summary: 'List user groups',
            querystring: listQuerySchema,
            response: { 200: pageSchema(groupSchema) },
          },
        },
        (request) => groups.list(parseListQuery(request.query, sortableGroupColumns)),
      );
      app.post(
        '/api/user-groups',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Create a user group',
            body: z.object({ friendlyName: friendlyNameSchema, name: groupNameSchema }),
            response: { 201: groupDetailSchema },
          },
        },
        async (request, reply) => reply.code(201).send(await groups.create(request.body)),
      );
      app.get(
        '/api/user-groups/:id',
        {
          preValidation,
          schema: { tags, summary: 'Get a user group', params, response: { 200: groupDetailSchema } },
        },
        (request) => groups.get(request.params.id),
      );
      app.put(
        '/api/user-groups/:id',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Update a user group',
            params,
            body: z.object({ friendlyName: friendlyNameSchema.optional(), name: groupNameSchema.optional() }),
            response: { 200: groupDetailSchema },
          },
        },
        (request) => groups.update(request.params.id, request.body),
      );
      app.delete(
        '/api/user-groups/:id',
        {
          preValidation,
          schema: { tags, summary: 'Delete a user group', params, response: { 204: z.null() } },
        },
        async (request, reply) => {
          await groups.remove(request.params.id);
          return reply.code(204).send(null);
        },
      );
      app.put(
        '/api/user-groups/:id/users',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Replace the members of a group',
            params,
            body: z.object({ userIds: z.array(z.string()).max(10_000) }),
            response: { 200: groupDetailSchema },
          },
        },
        (request) => groups.replaceMembers(request.params.id, request.body.userIds),
      );
      app.put(
        '/api/user-groups/:id/allowed-oidc-clients',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Replace the clients this group may use',
            params,
            body: z.object({ oidcClientIds: z.array(z.string()).max(1000) }),
            response: { 200: groupDetailSchema },
          },
        },
        (request) => groups.replaceAllowedClients(request.params.id, request.body.oidcClientIds),
      );
    },
  };
}
