import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureUiBuilt } from '../../../scripts/build-ui.ts';
import { createTestDatabase, type Engine, type TestDatabase } from '../../helpers/test-app.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface RunningServer {
  /** http://localhost:PORT — Chromium refuses WebAuthn on IP-address hosts. */
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  readonly testDatabase: TestDatabase;
  /** Everything the server printed so far. */
  output(): string;
  close(): Promise<void>;
}

export interface StartServerOptions {
  readonly db?: Engine;
  readonly env?: Record<string, string>;
  /** Reuse an existing database (e.g. to restart a server on the same data). */
  readonly testDatabase?: TestDatabase;
  /** false: do not wait for http://localhost:PORT/healthz (e.g. when listening on a Unix socket). */
  readonly healthUrl?: false;
}

/** Starts the real server process (`src/cli.ts`) on a free port and waits until /healthz answers. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  ensureUiBuilt({ quiet: true });
  const testDatabase = options.testDatabase ?? (await createTestDatabase(options.db ?? 'sqlite'));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const child = spawn(process.execPath, [join(root, 'src/cli.ts')], {
    cwd: testDatabase.dataPath,
    env: {
      PATH: process.env.PATH,
      APP_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      ENCRYPTION_KEY: 'e2e-encryption-key-0123456789',
      DISABLE_RATE_LIMITING: 'true',
      LOG_LEVEL: 'warn',
      ...testDatabase.env,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });

  const deadline = Date.now() + 30_000;
  while (options.healthUrl !== false) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 204) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy in 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    url,
    port,
    process: child,
    testDatabase,
    output: () => output,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      if (!options.testDatabase) await testDatabase.drop();
    },
  };
}
