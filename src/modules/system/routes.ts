import type { Database } from '../../db/database.ts';
import { pingDatabase } from '../../db/database.ts';
import type { App, HttpModule } from '../../http/server.ts';

/** Health check for load balancers and container runtimes: 204 when the database answers, 503 otherwise. */
export function createSystemModule(deps: { db: Database }): HttpModule {
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
