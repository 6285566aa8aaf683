/**
 * Cold start and idle memory: spawns the real server (UI already built) on a fresh SQLite database, measures the
 * time from process spawn to the first `/healthz` 204, then its resident memory after it settles.
 * Budget (DESIGN §6): under 1.5 s to healthy, idle RSS under 120 MB.
 *
 *   npm run bench:startup [-- runs]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureUiBuilt } from '../scripts/build-ui.ts';
import { freePort } from '../test/e2e/helpers/server.ts';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const runs = Number(process.argv[2] ?? 5);

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function measureOnce(): Promise<{ startMs: number; rssMb: number }> {
  const cwd = mkdtempSync(join(tmpdir(), 'latch-bench-startup-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), cli],
    {
      cwd,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ENCRYPTION_KEY: 'bench-key-0123456789abcdef',
      },
      stdio: 'ignore',
    },
  );
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.status === 204,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null) throw new Error('server exited');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const startMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return { startMs, rssMb: rssMegabytes(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    rmSync(cwd, { recursive: true, force: true });
  }
}

ensureUiBuilt();
const results = [];
for (let run = 0; run < runs; run++) results.push(await measureOnce());
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const startMs = median(results.map((result) => result.startMs));
const rssMb = median(results.map((result) => result.rssMb));
console.log(
  `cold start to first /healthz 204 (median of ${runs}): ${startMs.toFixed(0)} ms  (budget 1500 ms, ${(startMs / 1500).toFixed(2)}x of budget)`,
);
console.log(
  `idle RSS after 2 s (median): ${rssMb.toFixed(1)} MB  (budget 120 MB, ${(rssMb / 120).toFixed(2)}x of budget)`,
);
