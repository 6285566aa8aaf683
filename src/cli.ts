import { parseArgs } from 'node:util';
import { runServer } from './main.ts';
import { runOneTimeAccessToken } from './modules/one-time-access/command.ts';
import { runKeyRotate } from './oidc/key-rotate-command.ts';
import { version } from './version.ts';

type Command = (args: string[]) => Promise<number>;

/** Subcommands. Each returns an exit code. Other modules add theirs here. */
export const commands: Record<string, Command> = {
  'key-rotate': (args) => runKeyRotate(args),
  'one-time-access-token': (args) => runOneTimeAccessToken(args),
  async version() {
    process.stdout.write(`${version}\n`);
    return 0;
  },
  async healthcheck(args) {
    const { values } = parseArgs({
      args,
      options: {
        endpoint: { type: 'string', short: 'e', default: 'http://localhost:1411' },
        verbose: { type: 'boolean', short: 'v' },
      },
    });
    try {
      const response = await fetch(new URL('/healthz', values.endpoint), {
        signal: AbortSignal.timeout(5000),
      });
      if (values.verbose) process.stdout.write(`healthcheck: ${response.status}\n`);
      return response.status === 204 || response.status === 200 ? 0 : 1;
    } catch (error) {
      if (values.verbose) process.stderr.write(`healthcheck failed: ${(error as Error).message}\n`);
      return 1;
    }
  },
};

export async function runCli(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === 'serve') return runServer();
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}\n`);
    process.exit(2);
  }
  process.exit(await command(rest));
}

if (import.meta.main) await runCli(process.argv.slice(2));
