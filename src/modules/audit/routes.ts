import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { parseJson } from '../../db/database.ts';
import type { Guards } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import { listQuerySchema, pageSchema, parseListQuery, toPage } from '../../http/pagination.ts';
import type { App, HttpModule } from '../../http/server.ts';
import {
  type AuditLogFilters,
  type AuditLogRow,
  listAuditClientNames,
  listAuditLogs,
  listAuditUsers,
} from './repository.ts';

const auditLogSchema = z.object({
  id: z.string(),
  event: z.string(),
  ipAddress: z.string().nullable(),
  country: z.string().nullable(),
  city: z.string().nullable(),
  device: z.string(),
  userID: z.string().nullable(),
  username: z.string().nullable(),
  createdAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});

const ownQuerySchema = listQuerySchema.extend({ 'filters[event]': z.string().max(100).optional() });
const allQuerySchema = ownQuerySchema.extend({
  'filters[userID]': z.string().max(200).optional(),
  'filters[clientName]': z.string().max(200).optional(),
  'filters[location]': z
    .enum(['internal', 'external'], { message: 'must be internal or external' })
    .optional(),
});

function toAuditLogDto(row: AuditLogRow): z.infer<typeof auditLogSchema> {
  return {
    id: row.id,
    event: row.event,
    ipAddress: row.ip_address,
    country: row.country,
    city: row.city,
    device: row.user_agent,
    userID: row.user_id,
    username: row.username,
    createdAt: row.created_at,
    data: parseJson<Record<string, unknown>>(row.data, {}),
  };
}

/** Audit log: each user reads their own events; admins read everyone's, with filters. */
export function createAuditLogModule(deps: { db: Database; guards: Guards }): HttpModule {
  const list = async (input: z.infer<typeof allQuerySchema>, filters: AuditLogFilters) => {
    const query = parseListQuery(input, ['createdAt'] as const);
    // Newest first unless the caller asks otherwise.
    const sortDirection = input['sort[direction]'] ? query.sortDirection : 'desc';
    const { rows, total } = await listAuditLogs(deps.db, {
      filters,
      limit: query.limit,
      offset: query.offset,
      sortDirection,
    });
    return toPage(rows.map(toAuditLogDto), total, query);
  };

  return {
    register(app: App) {
      app.get(
        '/api/audit-logs',
        {
          schema: {
            tags: ['Audit log'],
            summary: "The caller's own audit log",
            querystring: ownQuerySchema,
            response: { 200: pageSchema(auditLogSchema) },
          },
          preValidation: deps.guards.requireUser,
        },
        async (request) => {
          const auth = request.auth;
          if (!auth) throw new AppError('not_signed_in', 401, 'You are not signed in');
          return list(request.query, { userId: auth.user.id, event: request.query['filters[event]'] });
        },
      );

      app.get(
        '/api/audit-logs/all',
        {
          schema: {
            tags: ['Audit log'],
            summary: "Everyone's audit log (admin)",
            querystring: allQuerySchema,
            response: { 200: pageSchema(auditLogSchema) },
          },
          preValidation: deps.guards.requireAdmin,
        },
        async (request) =>
          list(request.query, {
            event: request.query['filters[event]'],
            userId: request.query['filters[userID]'],
            clientName: request.query['filters[clientName]'],
            location: request.query['filters[location]'],
          }),
      );

      app.get(
        '/api/audit-logs/filters/client-names',
        {
          schema: {
            tags: ['Audit log'],
            summary: 'Client names that appear in the audit log (admin)',
            response: { 200: z.array(z.string()) },
          },
          preValidation: deps.guards.requireAdmin,
        },
        async () => listAuditClientNames(deps.db),
      );

      app.get(
        '/api/audit-logs/filters/users',
        {
          schema: {
            tags: ['Audit log'],
            summary: 'Users that appear in the audit log, id to username (admin)',
            response: { 200: z.record(z.string(), z.string()) },
          },
          preValidation: deps.guards.requireAdmin,
        },
        async () =>
          Object.fromEntries((await listAuditUsers(deps.db)).map((user) => [user.id, user.username])),
      );
    },
  };
}
