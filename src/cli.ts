import { enableCompileCache } from 'node:module';
import { parseArgs } from 'node:util';
import { version } from './version.ts';

// V8 caches the compiled code of Latch and its dependencies on disk, so later starts skip most compilation.
// Every command below is imported lazily, after this, and only the one that runs is loaded.
enableCompileCache();

type Command = (args: string[]) => Promise<number>;

/** Subcommands. Each returns an exit code. Other modules add theirs here. */
export const commands: Record<string, Command> = {
  'key-rotate': async (args) => (await import('./oidc/key-rotate-command.ts')).runKeyRotate(args),
  'one-time-access-token': async (args) =>
    (await import('./modules/one-time-access/command.ts')).runOneTimeAccessToken(args),
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
  if (!name || name === 'serve') return (await import('./main.ts')).runServer();
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}\n`);
    process.exit(2);
  }
  process.exit(await command(rest));
}

if (import.meta.main) await runCli(process.argv.slice(2));
