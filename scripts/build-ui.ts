/**
 * Builds the web UI into dist/web when it is missing or older than its sources. Safe to call from several
 * processes at once (test files in parallel): one builds, the others wait for it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const builtIndex = join(root, 'dist/web/index.html');
const lockPath = join(root, 'dist/.build-lock');

function newestModification(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((entry) => newestModification(join(path, entry))));
}

export function uiIsStale(): boolean {
  if (!existsSync(builtIndex)) return true;
  return newestModification(join(root, 'web')) > statSync(builtIndex).mtimeMs;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function ensureUiBuilt(options: { quiet?: boolean } = {}): void {
  if (!uiIsStale()) return;
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lockPath);
      break;
    } catch {
      if (waited > 180_000) rmSync(lockPath, { recursive: true, force: true });
      sleep(200);
      if (!uiIsStale()) return;
    }
  }
  try {
    if (!uiIsStale()) return;
    if (!options.quiet) process.stderr.write('Building the web UI...\n');
    const result = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'web/vite.config.ts',
        '--logLevel',
        'warn',
      ],
      { cwd: root, stdio: options.quiet ? 'ignore' : 'inherit' },
    );
    if (result.status !== 0) throw new Error(`building the web UI failed (exit ${result.status})`);
  } finally {
    rmSync(lockPath, { recursive: true, force: true });
  }
}

if (import.meta.main) ensureUiBuilt();
