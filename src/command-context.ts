import { type Config, ConfigError, loadConfig } from './config/env.ts';
import { type Database, migrateToLatest, openDatabase } from './db/database.ts';

/**
 * Runs a CLI command against the configured database: loads the configuration (a bad value prints one line and
 * exits 1), opens and migrates the database, and closes it afterwards. Tests pass their own config.
 */
export async function withCommandContext(
  config: Config | undefined,
  run: (context: { config: Config; db: Database }) => Promise<number>,
): Promise<number> {
  let resolved: Config;
  try {
    resolved = config ?? loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const db = openDatabase(resolved.database);
  try {
    await migrateToLatest(db);
    return await run({ config: resolved, db });
  } finally {
    await db.destroy();
  }
}
