/** `npm start`: builds the web UI when it is missing or older than its sources, then runs the server. */
import { ensureUiBuilt } from './build-ui.ts';

try {
  ensureUiBuilt();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}

const { runCli } = await import('../src/cli.ts');
await runCli(process.argv.slice(2));
