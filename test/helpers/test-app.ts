import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { type Application, createApplication } from '../../src/application.ts';
import { type Config, loadConfig } from '../../src/config/env.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import type { Clock } from '../../src/lib/clock.ts';

export type Engine = 'sqlite' | 'postgres';

export const pgTestUrl = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** CI sets this so that a missing PostgreSQL or Chromium fails the run instead of skipping tests. */
export const requireAllEngines = process.env.LATCH_REQUIRE_ALL === '1';

let postgresAvailable: Promise<boolean> | undefined;

export function isPostgresAvailable(): Promise<boolean> {
  postgresAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: pgTestUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  })();
  return postgresAvailable;
}

export interface TestDatabase {
  readonly engine: Engine;
  /** Environment that points the app at this database. */
  readonly env: Record<string, string>;
  readonly dataPath: string;
  drop(): Promise<void>;
}

/** A fresh empty database: a temp SQLite file, or a new PostgreSQL database dropped afterwards. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const dataPath = mkdtempSync(join(tmpdir(), 'latch-test-'));
  if (engine === 'sqlite') {
    return {
      engine,
      dataPath,
      env: { DB_CONNECTION_STRING: `file:${join(dataPath, 'latch.db')}` },
      async drop() {
        rmSync(dataPath, { recursive: true, force: true });
      },
    };
  }
  if (!(await isPostgresAvailable())) {
    throw new Error(`PostgreSQL is not reachable at ${pgTestUrl}`);
  }
  const name = `latch_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgTestUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(pgTestUrl);
  url.pathname = `/${name}`;
  return {
    engine,
    dataPath,
    env: { DB_CONNECTION_STRING: url.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: pgTestUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      rmSync(dataPath, { recursive: true, force: true });
    },
  };
}

export interface TestApp extends Application {
  readonly engine: Engine;
  readonly testDatabase: TestDatabase;
}

export interface TestAppOptions {
  readonly db: Engine;
  readonly env?: Record<string, string>;
  readonly serveSpa?: boolean;
  /** A fixed or steerable time source for expiry tests. */
  readonly clock?: Clock;
}

export function testConfig(testDatabase: TestDatabase, env: Record<string, string> = {}): Config {
  return loadConfig(
    {
      APP_ENV: 'test',
      APP_URL: 'http://localhost:1411',
      ENCRYPTION_KEY: 'test-encryption-key-0123456789',
      DISABLE_RATE_LIMITING: 'true',
      LOG_LEVEL: 'silent',
      UPLOAD_PATH: join(testDatabase.dataPath, 'uploads'),
      KEYS_PATH: join(testDatabase.dataPath, 'keys'),
      ...testDatabase.env,
      ...env,
    },
    testDatabase.dataPath,
  );
}

/** Starts the real application on a fresh database. Call `close()` when done (it drops the database). */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  const testDatabase = await createTestDatabase(options.db);
  const config = testConfig(testDatabase, options.env);
  const application = await createApplication(config, {
    logger: pino({ level: 'silent' }),
    serveSpa: options.serveSpa ?? false,
    clock: options.clock,
  });
  await application.app.ready();
  return {
    ...application,
    engine: options.db,
    testDatabase,
    async close() {
      await application.close();
      await testDatabase.drop();
    },
  };
}

/** A raw Kysely handle on a test database, for migration tests. */
export function openTestDatabase(testDatabase: TestDatabase): Database {
  return openDatabase(testConfig(testDatabase).database);
}

/** Probed once when the helpers load, so suites can be declared synchronously (see describeEachEngine). */
const postgresReachable = requireAllEngines || (await isPostgresAvailable());

/**
 * Declares the same suite once per engine. Without PostgreSQL the postgres suite is skipped, unless
 * LATCH_REQUIRE_ALL=1, where it runs and fails. The suite body must stay synchronous: node:test attaches
 * tests declared after an `await` inside a describe to whichever suite is current by then.
 */
export function describeEachEngine(name: string, suite: (engine: Engine) => void): void {
  for (const engine of ['sqlite', 'postgres'] as const) {
    const skip =
      engine === 'postgres' && !postgresReachable ? `PostgreSQL not reachable at ${pgTestUrl}` : false;
    describe(`${name} [${engine}]`, { skip }, () => suite(engine));
  }
}
