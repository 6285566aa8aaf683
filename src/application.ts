import type { Logger } from 'pino';
import { resolveEncryptionKey } from './config/encryption-key.ts';
import type { Config } from './config/env.ts';
import { type Database, migrateToLatest, openDatabase } from './db/database.ts';
import { type Authenticator, createGuards, type Guards } from './http/auth.ts';
import { deleteRateLimitsBefore } from './http/rate-limit/repository.ts';
import { databaseRateLimitStore } from './http/rate-limit/store.ts';
import { type App, buildServer } from './http/server.ts';
import { createScheduler, type Scheduler } from './jobs/scheduler.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { createImageStore } from './lib/images.ts';
import { createAccountModule } from './modules/account/routes.ts';
import { createApiKeysModule } from './modules/api-keys/routes.ts';
import { createApiKeyAuthenticator, createApiKeys } from './modules/api-keys/service.ts';
import { createAppConfigModule } from './modules/app-config/routes.ts';
import { type AppSettingsReader, createAppSettings } from './modules/app-config/service.ts';
import { createAuditLogModule } from './modules/audit/routes.ts';
import { type AuditLog, createAuditLog } from './modules/audit/service.ts';
import { createClientsModule } from './modules/clients/routes.ts';
import { createClientsAdmin } from './modules/clients/service.ts';
import { createCustomClaimsModule } from './modules/custom-claims/routes.ts';
import { createCustomClaims } from './modules/custom-claims/service.ts';
import { createDeviceLoginModule } from './modules/device-login/routes.ts';
import { createGeoIp, type GeoIp } from './modules/geoip/service.ts';
import { createGroupsModule } from './modules/groups/routes.ts';
import { createGroupsAdmin } from './modules/groups/service.ts';
import { createMyAppsModule } from './modules/my-apps/routes.ts';
import { createOneTimeAccessModule } from './modules/one-time-access/routes.ts';
import { createPasskeysModule, type PasskeysModule } from './modules/passkeys/routes.ts';
import { createProfilePicturesModule } from './modules/profile-pictures/routes.ts';
import { createProfilePictures } from './modules/profile-pictures/service.ts';
import { createSessions, type Sessions } from './modules/sessions/service.ts';
import { createSignupModule } from './modules/signup/routes.ts';
import { createSystemModule } from './modules/system/routes.ts';
import { findUserById, type User } from './modules/users/repository.ts';
import { createUsersAdminModule } from './modules/users/routes.ts';
import { createUsersAdmin } from './modules/users/service.ts';
import { createUserDtoLoader } from './modules/users/user-dto.ts';
import { createTokenPreviewer } from './oidc/preview.ts';
import { createOidcModule } from './oidc/routes.ts';
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
  /** Periodic cleanup jobs; main.ts starts it, tests may `tick()` it. */
  readonly scheduler: Scheduler;
  readonly geoIp: GeoIp;
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

  const db =
    options.db ??
    openDatabase(config.database, {
      onConnectionError: (error) => logger.warn({ err: error }, 'database connection lost; reconnecting'),
    });
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const clock = options.clock ?? systemClock;
  const settings = createAppSettings({ db, config, encryptionKey });
  const geoIp = createGeoIp({ config, logger });
  await geoIp.load();
  const audit = createAuditLog({ db, clock, locate: geoIp.locate });
  const sessions = createSessions({ db, config, settings, clock });
  const authenticators: Authenticator[] = [
    sessions.authenticate,
    createApiKeyAuthenticator({ db, clock, staticApiKey: config.staticApiKey }),
  ];
  const guards = createGuards(() => authenticators);
  const readSettings = (trx?: Database) => settings.read(trx);
  const claims = createCustomClaims({ db });
  const userDtos = createUserDtoLoader({ db, claims });
  const userDto = async (user: User, trx: Database = db) => (await userDtos([user], trx))[0];
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

  const hour = 60 * 60 * 1000;
  const scheduler = createScheduler({ db, clock, logger });
  scheduler.add({ name: 'delete-expired-sessions', intervalMs: hour, run: () => sessions.deleteExpired() });
  const oneTimeAccess = createOneTimeAccessModule(accountDeps);
  scheduler.add({
    name: 'delete-expired-passkey-challenges',
    intervalMs: hour / 4,
    run: () => passkeys.deleteExpired(),
  });
  scheduler.add({
    name: 'delete-expired-login-codes',
    intervalMs: hour,
    run: () => oneTimeAccess.deleteExpired(),
  });
  scheduler.add({ name: 'refresh-geolite-database', intervalMs: 24 * hour, run: () => geoIp.refresh() });
  scheduler.add({
    name: 'delete-stale-rate-limits',
    intervalMs: hour,
    run: () => deleteRateLimitsBefore(db, clock.now().getTime() - 24 * hour),
  });
  scheduler.add({
    name: 'delete-expired-audit-logs',
    intervalMs: 24 * hour,
    run: () => audit.deleteExpired(config.auditLogRetentionDays),
  });

  const deviceLogin = createDeviceLoginModule({
    db,
    appUrl: config.appUrl,
    clock,
    audit,
    sessions,
    guards,
    requireRecentReauthentication: passkeys.requireRecentReauthentication,
    findUser: (id, trx) => findUserById(trx, id),
    loadUserDto: userDto,
  });
  scheduler.add({
    name: 'delete-expired-device-login-requests',
    intervalMs: hour,
    run: () => deviceLogin.deleteExpired(),
  });

  const images = createImageStore(config.uploadPath);
  const pictures = createProfilePictures({ db, images });
  const users = createUsersAdmin({
    db,
    clock,
    settings,
    audit,
    claims,
    userDtos,
    sessions: { endAllOfUser: (userId) => passkeys.endAllSessionsOfUser(userId) },
    oidcGrants: { revokeAllOfUser: (userId) => oidc.revokeAllOfUser(userId) },
    pictures,
  });
  const adminModules = [
    createUsersAdminModule({ users, guards }),
    createProfilePicturesModule({ pictures, guards }),
    createCustomClaimsModule({ claims, guards }),
    createClientsModule({
      clients: createClientsAdmin({
        db,
        clock,
        images,
        // The OIDC engine caches client metadata for a few seconds; admin changes drop it at once.
        onClientChanged: (clientId) => oidc.invalidateClient(clientId),
        previewTokens: createTokenPreviewer({ db, appUrl: config.appUrl, clock }),
      }),
      guards,
      options: { allowInsecureCallbackUrls: config.allowInsecureCallbackUrls },
    }),
    createGroupsModule({ groups: createGroupsAdmin({ db, clock, claims }), guards }),
    createMyAppsModule({ db, guards }),
    createApiKeysModule({ apiKeys: createApiKeys({ db, clock }), guards }),
  ];

  const oidc = createOidcModule({
    db,
    config,
    clock,
    audit,
    sessions,
    guards,
    encryptionKey,
    reauthentication: passkeys,
  });
  scheduler.add({
    name: 'delete-expired-oidc-payloads',
    intervalMs: hour / 4,
    run: () => oidc.deleteExpired(),
  });
  const app = await buildServer({
    config,
    logger,
    version,
    serveSpa: options.serveSpa,
    rateLimitStore: databaseRateLimitStore({ db, clock }),
    modules: [
      createSystemModule({ db }),
      createAppConfigModule({ settings, config, guards, images }),
      passkeys,
      createSignupModule(accountDeps),
      oneTimeAccess,
      deviceLogin,
      createAccountModule({ db, clock, readSettings, guards, loadUserDto: userDto }),
      createAuditLogModule({ db, guards }),
      ...adminModules,
      oidc,
    ],
  });

  return {
    app,
    db,
    config,
    encryptionKey,
    services,
    scheduler,
    geoIp,
    async close() {
      await scheduler.stop();
      await oidc.close();
      await app.close();
      await db.destroy();
    },
  };
}
