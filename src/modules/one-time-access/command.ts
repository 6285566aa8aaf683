import { withCommandContext } from '../../command-context.ts';
import type { Config } from '../../config/env.ts';
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
  return withCommandContext(config, async ({ config: resolved, db }) => {
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
  });
}
