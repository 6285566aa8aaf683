/**
 * Runs every test file with node:test and prints its summary. Arguments narrow the files:
 * `npm run test:unit -- test/e2e` runs only what lies under test/e2e.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (entry === 'node_modules') return [];
    if (statSync(path).isDirectory()) return findTests(path);
    return entry.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = ['src', 'test']
  .flatMap((folder) => findTests(join(root, folder)))
  .map((path) => relative(root, path))
  .filter(
    (path) =>
      filters.length === 0 || filters.some((filter) => path.startsWith(filter) || path.includes(filter)),
  )
  .sort();

if (files.length === 0) {
  process.stderr.write('No test files matched.\n');
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=180000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
);
process.exit(result.status ?? 1);
