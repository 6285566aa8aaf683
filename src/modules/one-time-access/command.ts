import { type Config, ConfigError, loadConfig } from '../../config/env.ts';
import { migrateToLatest, openDatabase } from '../../db/database.ts';
import { systemClock } from '../../lib/clock.ts';
import { findUserByUsernameOrEmail } from '../users/repository.ts';
import { createOneTimeAccessToken } from './service.ts';

/**
 * `latch one-time-access-token <username|email>`: prints a one-hour login link, for account recovery when
 * a user (or the only admin) lost their passkeys.
 */
export async function runOneTimeAccessToken(args: string[], config?: Config): Promise<number> {
  const identifier = args.find((arg) => !arg.startsWith('-'));
  if (!identifier) {
    process.stderr.write('Usage: latch one-time-access-token <username|email>\n');
    return 2;
  }
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
    const user = await findUserByUsernameOrEmail(db, identifier);
    if (!user) {
      process.stderr.write(`No user with the username or email "${identifier}"\n`);
      return 1;
    }
    const { token, expiresAt } = await createOneTimeAccessToken({ db, clock: systemClock }, user.id, 3600);
    process.stdout.write(
      `A one-time login link for ${user.username}, valid until ${expiresAt.toISOString()}:\n${resolved.appUrl}/lc/${token}\n`,
    );
    return 0;
  } finally {
    await db.destroy();
  }
}
