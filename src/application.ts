import type { Logger } from 'pino';
import { resolveEncryptionKey } from './config/encryption-key.ts';
import type { Config } from './config/env.ts';
import { type Database, migrateToLatest, openDatabase } from './db/database.ts';
import { type Authenticator, createGuards, type Guards } from './http/auth.ts';
import { type App, buildServer } from './http/server.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { createAccountModule } from './modules/account/routes.ts';
import { loadUserDto } from './modules/account/user-dto.ts';
import { createAppConfigModule } from './modules/app-config/routes.ts';
import { type AppSettingsReader, createAppSettings } from './modules/app-config/service.ts';
import { type AuditLog, createAuditLog } from './modules/audit/service.ts';
import { createOneTimeAccessModule } from './modules/one-time-access/routes.ts';
import { createPasskeysModule, type PasskeysModule } from './modules/passkeys/routes.ts';
import { createSessions, type Sessions } from './modules/sessions/service.ts';
import { createSignupModule } from './modules/signup/routes.ts';
import { createSystemModule } from './modules/system/routes.ts';
import { version } from './version.ts';

/** Services shared by the modules, also handed to tests. */
export interface Services {
  readonly clock: Clock;
  readonly settings: AppSettingsReader;
  readonly audit: AuditLog;
  readonly sessions: Sessions;
  readonly guards: Guards;
  /** Passkey ceremonies' public API: `requireRecentReauthentication`, `endAllSessionsOfUser`. */
  readonly passkeys: Pick<PasskeysModule, 'requireRecentReauthentication' | 'endAllSessionsOfUser'>;
}

export interface Application {
  readonly app: App;
  readonly db: Database;
  readonly config: Config;
  readonly encryptionKey: string;
  readonly services: Services;
  close(): Promise<void>;
}

export interface ApplicationOptions {
  readonly logger: Logger;
  readonly serveSpa?: boolean;
  /** Tests hand in a database they created; otherwise one is opened from the config. */
  readonly db?: Database;
  readonly clock?: Clock;
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

  const clock = options.clock ?? systemClock;
  const settings = createAppSettings({ db, config });
  const audit = createAuditLog({ db, clock });
  const sessions = createSessions({ db, config, settings, clock });
  const authenticators: Authenticator[] = [sessions.authenticate];
  const guards = createGuards(() => authenticators);
  const readSettings = () => settings.read();
  const userDto = (user: Parameters<typeof loadUserDto>[1], trx: Database = db) => loadUserDto(trx, user);
  const passkeys = createPasskeysModule({
    db,
    appUrl: config.appUrl,
    clock,
    readSettings,
    audit,
    sessions,
    guards,
    loadUserDto: userDto,
  });
  const services: Services = { clock, settings, audit, sessions, guards, passkeys };
  const accountDeps = { db, clock, audit, sessions, guards, readSettings, loadUserDto: userDto };

  const app = await buildServer({
    config,
    logger,
    version,
    serveSpa: options.serveSpa,
    modules: [
      createSystemModule({ db, version }),
      createAppConfigModule({ settings, config }),
      passkeys,
      createSignupModule(accountDeps),
      createOneTimeAccessModule(accountDeps),
      createAccountModule({ db, clock, readSettings, guards }),
    ],
  });

  return {
    app,
    db,
    config,
    encryptionKey,
    services,
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}
