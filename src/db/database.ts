import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/env.ts';
import { type Dialect, dialectOf } from './column-types.ts';
import { migrations } from './migrations/index.ts';
import { NodeSqliteDialect } from './sqlite-dialect.ts';
import type { DB } from './types.ts';

export type Database = Kysely<DB>;
export type { Dialect };

/** PostgreSQL hands back the same JS types as SQLite: ISO strings, JSON text, numbers. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case pg.types.builtins.TIMESTAMPTZ:
      case pg.types.builtins.TIMESTAMP:
        return (value: string) => new Date(value).toISOString();
      case pg.types.builtins.JSON:
      case pg.types.builtins.JSONB:
        return (value: string) => value;
      case pg.types.builtins.INT8:
        return (value: string) => Number(value);
      default:
        return pg.types.getTypeParser(oid, format as 'text');
    }
  },
} as pg.CustomTypesConfig;

export interface OpenDatabaseOptions {
  readonly poolSize?: number;
  /** Told about connections the server dropped while idle (a restart, a failover); the pool reconnects. */
  readonly onConnectionError?: (error: Error) => void;
}

export function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Database {
  if (config.provider === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.connectionString,
      max: options.poolSize ?? 10,
      types: pgTypes,
    });
    // Without a listener an idle connection killed by the server would crash the process.
    pool.on('error', (error) => options.onConnectionError?.(error));
    return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  }
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  return new Kysely<DB>({ dialect: new NodeSqliteDialect(config) });
}

export function databaseDialect(db: Database): Dialect {
  return dialectOf(db);
}

/**
 * Brings the schema up to date. Kysely runs every pending migration in one transaction, guarded by a
 * PostgreSQL advisory lock; on SQLite the transaction begins IMMEDIATE, so a second process waits and then
 * finds nothing left to do. @throws Error when a migration fails (nothing of it is kept)
 */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Features land from parallel branches; a migration that sorts before an applied one still runs.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}

export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

export function toBool(value: boolean | number | null | undefined): boolean {
  return value === true || value === 1;
}

export function parseJson<T>(value: string | null | undefined, fallback: T): T {
  if (value === null || value === undefined || value === '') return fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: string; errcode?: string; message?: string };
  return (
    candidate?.code === '23505' ||
    (candidate?.code === 'ERR_SQLITE_ERROR' && /UNIQUE constraint failed/.test(candidate.message ?? '')) ||
    /UNIQUE constraint failed/.test(candidate?.message ?? '')
  );
}

export function isForeignKeyViolation(error: unknown): boolean {
  const candidate = error as { code?: string; message?: string };
  return candidate?.code === '23503' || /FOREIGN KEY constraint failed/.test(candidate?.message ?? '');
}
