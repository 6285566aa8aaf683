import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type SqliteStatement,
} from 'kysely';

type SqliteValue = null | number | bigint | string | Uint8Array;

/** node:sqlite binds only primitives and bytes: booleans become 0/1 and dates ISO strings, as repositories expect. */
function toSqliteValue(value: unknown): SqliteValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && !(value instanceof Uint8Array)) return JSON.stringify(value);
  return value as SqliteValue;
}

/** Prepared statements kept per connection: Kysely prepares every query it runs, and preparing is not free. */
const statementCacheSize = 500;

/** Adapts node:sqlite's DatabaseSync to the better-sqlite3 shape Kysely's SqliteDialect drives. */
function adaptDatabase(database: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, { statement: StatementSync; reader: boolean }>();
  const prepareCached = (sql: string) => {
    let entry = cache.get(sql);
    if (entry) {
      // Most recently used last, so the first key is the one to drop.
      cache.delete(sql);
    } else {
      const statement = database.prepare(sql);
      entry = { statement, reader: statement.columns().length > 0 };
      if (cache.size >= statementCacheSize) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, entry);
    return entry;
  };
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const { statement, reader } = prepareCached(sql);
      return {
        reader,
        // Plain objects, as pg returns, rather than node:sqlite's null-prototype rows.
        all: (parameters) => statement.all(...parameters.map(toSqliteValue)).map((row) => ({ ...row })),
        run: (parameters) => {
          const result = statement.run(...parameters.map(toSqliteValue));
          return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
        },
        iterate: (parameters) =>
          statement.iterate(...parameters.map(toSqliteValue)) as IterableIterator<unknown>,
      };
    },
  };
}

/**
 * Writers take the lock at BEGIN (IMMEDIATE), so a transaction never fails half-way on a lock upgrade. The wait
 * for a busy database is asynchronous, so other connections of this process keep running meanwhile.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #lockWaitMs: number;
  readonly #busyTimeoutMs: number;

  constructor(config: ConstructorParameters<typeof SqliteDriver>[0], busyTimeoutMs: number) {
    super(config);
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#lockWaitMs = Math.max(busyTimeoutMs, 30_000);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const deadline = Date.now() + this.#lockWaitMs;
    await connection.executeQuery(CompiledQuery.raw('pragma busy_timeout = 0'));
    try {
      for (;;) {
        try {
          await connection.executeQuery(CompiledQuery.raw('begin immediate'));
          return;
        } catch (error) {
          const busy = (error as { errcode?: number }).errcode === 5;
          if (!busy || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
        }
      }
    } finally {
      await connection.executeQuery(CompiledQuery.raw(`pragma busy_timeout = ${this.#busyTimeoutMs}`));
    }
  }
}

/** SQLite runs DDL inside transactions, so migrations are all-or-nothing there too. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export interface NodeSqliteOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly journalMode: string;
}

/** Kysely's SQLite dialect over node:sqlite (no native addon). */
export class NodeSqliteDialect implements Dialect {
  readonly #options: NodeSqliteOptions;

  constructor(options: NodeSqliteOptions) {
    this.#options = options;
  }

  createDriver(): Driver {
    return new ImmediateSqliteDriver(
      { database: async () => openSqlite(this.#options) },
      this.#options.busyTimeoutMs,
    );
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

function openSqlite({ path, busyTimeoutMs, journalMode }: NodeSqliteOptions): SqliteDatabase {
  // Statements outside transactions wait for the lock synchronously; transactions wait in beginTransaction.
  const database = new DatabaseSync(path, { timeout: busyTimeoutMs });
  database.exec(`pragma journal_mode = ${/^[A-Z]+$/.test(journalMode) ? journalMode : 'WAL'}`);
  database.exec('pragma foreign_keys = on');
  database.exec('pragma synchronous = normal');
  return adaptDatabase(database);
}
