import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { pingDatabase } from '../../db/database.ts';
import type { App, HttpModule } from '../../http/server.ts';

export function createSystemModule(deps: { db: Database; version: string }): HttpModule {
  return {
    register(app: App) {
      app.route({
        method: ['GET', 'HEAD'],
        url: '/healthz',
        schema: { hide: true },
        handler: async (_request, reply) => {
          const healthy = await pingDatabase(deps.db);
          return reply.code(healthy ? 204 : 503).send();
        },
      });

      app.get(
        '/api/version/current',
        {
          schema: {
            tags: ['System'],
            summary: 'The running version',
            response: { 200: z.object({ currentVersion: z.string() }) },
          },
        },
        async () => ({ currentVersion: deps.version }),
      );
    },
  };
}
