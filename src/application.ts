import type { Logger } from 'pino';
import { resolveEncryptionKey } from './config/encryption-key.ts';
import type { Config } from './config/env.ts';
import { type Database, migrateToLatest, openDatabase } from './db/database.ts';
import { type App, buildServer } from './http/server.ts';
import { createAppConfigModule } from './modules/app-config/routes.ts';
import { createAppSettings } from './modules/app-config/service.ts';
import { createSystemModule } from './modules/system/routes.ts';
import { version } from './version.ts';

export interface Application {
  readonly app: App;
  readonly db: Database;
  readonly config: Config;
  readonly encryptionKey: string;
  close(): Promise<void>;
}

export interface ApplicationOptions {
  readonly logger: Logger;
  readonly serveSpa?: boolean;
  /** Tests hand in a database they created; otherwise one is opened from the config. */
  readonly db?: Database;
}

/** The composition root: config -> database -> migrations -> modules -> HTTP server. */
export async function createApplication(config: Config, options: ApplicationOptions): Promise<Application> {
  const { logger } = options;
  const encryptionKey = resolveEncryptionKey(config, (path) =>
    logger.warn(
      { path },
      'ENCRYPTION_KEY is not set: generated a random key into the data folder. Back it up with your data.',
    ),
  );
  if (/^https?:\/\/(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?$/i.test(config.appUrl)) {
    logger.warn(
      { appUrl: config.appUrl },
      'APP_URL is an IP address: browsers refuse passkeys there. Use a host name such as http://localhost:1411.',
    );
  }

  const db = options.db ?? openDatabase(config.database);
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const settings = createAppSettings({ db, config });
  const app = await buildServer({
    config,
    logger,
    version,
    serveSpa: options.serveSpa,
    modules: [createSystemModule({ db, version }), createAppConfigModule({ settings, config })],
  });

  return {
    app,
    db,
    config,
    encryptionKey,
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}
