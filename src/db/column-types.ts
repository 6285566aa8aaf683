import { type ColumnDataType, type Kysely, PostgresAdapter, sql } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Column types that differ between the engines. Repositories always write ISO strings for timestamps and
 * JSON text for json columns, and both engines give the same back (see the pg type parsers in database.ts).
 */
export function columnTypes(db: Kysely<any>) {
  const postgres = dialectOf(db) === 'postgres';
  return {
    timestamp: (postgres ? 'timestamptz' : 'text') as ColumnDataType,
    bool: (postgres ? 'boolean' : 'integer') as ColumnDataType,
    json: (postgres ? 'jsonb' : 'text') as ColumnDataType,
    blob: (postgres ? 'bytea' : 'blob') as ColumnDataType,
    false: postgres ? sql`false` : sql`0`,
    true: postgres ? sql`true` : sql`1`,
    emptyList: postgres ? sql`'[]'::jsonb` : sql`'[]'`,
    emptyObject: postgres ? sql`'{}'::jsonb` : sql`'{}'`,
  };
}
