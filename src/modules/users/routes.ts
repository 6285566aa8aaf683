import { z } from 'zod';
import type { Guards } from '../../http/auth.ts';
import { listQuerySchema, pageSchema, parseListQuery } from '../../http/pagination.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { readUploadedFile } from '../../http/uploads.ts';
import { maxProfilePictureBytes } from '../../lib/profile-pictures.ts';
import { auditContextOf } from '../audit/service.ts';
import { sortableUserColumns } from './repository.ts';
import {
  passkeySchema,
  userCreateSchema,
  userGroupIdsSchema,
  userGroupSummarySchema,
  userIdParams,
  userSchema,
  userUpdateSchema,
} from './schemas.ts';
import type { UsersAdmin } from './service.ts';

/** Admin user management: `/api/users` as upstream v2. */
export function createUsersAdminModule(deps: { users: UsersAdmin; guards: Guards }): HttpModule {
  const { users, guards } = deps;
  const tags = ['Users'];
  const preValidation = guards.requireAdmin;
  return {
    register(app: App) {
      app.get(
        '/api/users',
        {
          preValidation,
          schema: {
            tags,
            summary: 'List users (search, sort, pagination)',
            querystring: listQuerySchema,
            response: { 200: pageSchema(userSchema) },
          },
        },
        (request) => users.list(parseListQuery(request.query, sortableUserColumns)),
      );
      app.post(
        '/api/users',
        {
          preValidation,
          schema: { tags, summary: 'Create a user', body: userCreateSchema, response: { 201: userSchema } },
        },
        async (request, reply) => reply.code(201).send(await users.create(request.body)),
      );
      app.get(
        '/api/users/:id',
        {
          preValidation,
          schema: { tags, summary: 'Get a user', params: userIdParams, response: { 200: userSchema } },
        },
        (request) => users.get(request.params.id),
      );
      app.put(
        '/api/users/:id',
        {
          preValidation,
          schema: {
            tags,
            summary: 'Update a user (fields left out keep their values)',
            params: userIdParams,
            body: userUpdateSchema,
            response: { 200: userSchema },
          },
        },
        (request) => users.update(request.params.id, request.body),
      );
      app.delete(
        '/api/users/:id',
        {
          preValidation,
          schema: { tags, summary: 'Delete a user', params: userIdParams, response: { 204: z.null() } },
        },
        async (request, reply) => {
          await users.remove(request.params.id);
          return reply.code(204).send(null);
        },
      );
      app.get(
        '/api/users/:id/groups',
        {
          preValidation,
          schema: {
            tags,
            summary: "A user's groups",
            params: userIdParams,
            response: { 200: z.array(userGroupSummarySchema) },
          },
        },
        (request) => users.groups(request.params.id),
      );
      app.put(
        '/api/users/:id/user-groups',
        {
          preValidation,
          schema: {
            tags,
            summary: "Replace a user's groups",
            params: userIdParams,
            body: userGroupIdsSchema,
            response: { 200: userSchema },
          },
        },
        (request) => users.replaceGroups(request.params.id, request.body.userGroupIds),
      );
      app.put(
        '/api/users/:id/profile-picture',
        {
          preValidation,
          schema: {
            tags,
            summary:
              "Replace a user's profile picture (multipart `file`: PNG, JPEG or WebP, stored as a 300 px PNG)",
            params: userIdParams,
            consumes: ['multipart/form-data'],
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          const data = await readUploadedFile(request, maxProfilePictureBytes);
          await users.setProfilePicture(request.params.id, data);
          return reply.code(204).send(null);
        },
      );
      app.delete(
        '/api/users/:id/profile-picture',
        {
          preValidation,
          schema: {
            tags,
            summary: "Reset a user's profile picture to the default",
            params: userIdParams,
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          await users.removeProfilePicture(request.params.id);
          return reply.code(204).send(null);
        },
      );
      app.get(
        '/api/users/:id/webauthn-credentials',
        {
          preValidation,
          schema: {
            tags,
            summary: "A user's passkeys",
            params: userIdParams,
            response: { 200: z.array(passkeySchema) },
          },
        },
        (request) => users.passkeys(request.params.id),
      );
      app.delete(
        '/api/users/:id/webauthn-credentials/:credentialId',
        {
          preValidation,
          schema: {
            tags,
            summary: "Revoke a user's passkey (audited with the acting admin)",
            params: userIdParams.extend({ credentialId: z.string().min(1).max(1024) }),
            response: { 204: z.null() },
          },
        },
        async (request, reply) => {
          const actor = request.auth?.user;
          await users.removePasskey(
            request.params.id,
            request.params.credentialId,
            { id: actor?.id ?? '', username: actor?.username ?? '' },
            auditContextOf(request),
          );
          return reply.code(204).send(null);
        },
      );
    },
  };
}
