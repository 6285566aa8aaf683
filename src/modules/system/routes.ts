import type { Database } from '../../db/database.ts';
import { pingDatabase } from '../../db/database.ts';
import type { App, HttpModule } from '../../http/server.ts';

/**
 * Health check. (`version` is no longer used: `/api/version/current` needs a signed-in caller, so it lives
 * in the app-config module, which has the guards.)
 */
export function createSystemModule(deps: { db: Database; version?: string }): HttpModule {
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
    },
  };
}
