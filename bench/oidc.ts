/**
 * OIDC throughput (DESIGN §6): discovery, JWKS, client-credentials token and userinfo for Latch on SQLite and
 * PostgreSQL, beside a bare oidc-provider (memory adapter) and a bare Fastify "hello" route, in one run.
 * Each server runs in its own process (bench/oidc-target.ts), one at a time; this process generates the load
 * with a fixed number of concurrent `fetch` loops. Numbers are requests/s and ratios to the references.
 *
 *   npm run bench:oidc [-- seconds-per-cell concurrency rounds] [--profile]   (--profile: --cpu-prof into
 *   bench/profiles; BENCH_TARGETS / BENCH_ENDPOINTS narrow the run)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isPostgresAvailable } from '../test/helpers/test-app.ts';
import type { TargetInfo } from './oidc-target.ts';

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const profile = process.argv.includes('--profile');
const seconds = Number(positional[0] ?? 3);
const concurrency = Number(positional[1] ?? 32);
const rounds = Number(positional[2] ?? 3);
const targetScript = fileURLToPath(new URL('./oidc-target.ts', import.meta.url));
const profileDir = fileURLToPath(new URL('./profiles', import.meta.url));

interface Endpoint {
  readonly name: string;
  /** The reference target this row is compared with (DESIGN §6). */
  readonly reference: 'bare' | 'hello';
  request(target: TargetInfo, name: string): Promise<Response>;
}

const endpoints: Endpoint[] = [
  {
    name: 'hello',
    reference: 'hello',
    request: (t, name) => fetch(`${t.url}${name === 'hello' ? '/hello' : '/healthz'}`),
  },
  {
    name: 'discovery',
    reference: 'hello',
    request: (t) => fetch(`${t.url}/.well-known/openid-configuration`),
  },
  { name: 'jwks', reference: 'hello', request: (t) => fetch(`${t.url}/.well-known/jwks.json`) },
  {
    name: 'client_credentials',
    reference: 'bare',
    request: (t) =>
      fetch(`${t.url}/api/oidc/token`, {
        method: 'POST',
        headers: { authorization: t.basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
  },
  {
    name: 'userinfo',
    reference: 'bare',
    request: (t) =>
      fetch(`${t.url}/api/oidc/userinfo`, { headers: { authorization: `Bearer ${t.accessToken}` } }),
  },
];

async function startTarget(name: string): Promise<{ info: TargetInfo; child: ChildProcess }> {
  const flags = profile
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...flags, targetScript, name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith('{')) return { info: JSON.parse(line) as TargetInfo, child };
  }
  throw new Error(`target ${name} exited before listening`);
}

async function measure(name: string, target: TargetInfo, endpoint: Endpoint): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await endpoint.request(target, name);
      await response.arrayBuffer();
      if (response.ok) done += 1;
      else failed += 1;
    }
  };
  // Warm up both sides (JIT, connection pools) for a second before counting.
  const warmUntil = performance.now() + 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warmUntil) await (await endpoint.request(target, name)).arrayBuffer();
    }),
  );
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failed > 0) {
    const sample = await endpoint.request(target, name);
    process.stderr.write(
      `${name} ${endpoint.name}: ${failed} failed (${sample.status} ${await sample.text()})\n`,
    );
  }
  return done / ((performance.now() - started) / 1000);
}

let names = ['hello', 'bare', 'latch-sqlite'];
if (await isPostgresAvailable()) names.push('latch-postgres');
else process.stderr.write('PostgreSQL is not reachable (PG_TEST_URL): skipping latch-postgres\n');
// BENCH_TARGETS=latch-sqlite,bare and BENCH_ENDPOINTS=userinfo narrow a run (for profiling).
const onlyTargets = process.env.BENCH_TARGETS?.split(',');
const onlyEndpoints = process.env.BENCH_ENDPOINTS?.split(',');
if (onlyTargets) names = names.filter((name) => onlyTargets.includes(name));

/** Which endpoints each target serves. */
function serves(name: string, endpoint: Endpoint): boolean {
  if (onlyEndpoints && !onlyEndpoints.includes(endpoint.name)) return false;
  if (name === 'hello') return endpoint.name === 'hello';
  if (name === 'bare') return endpoint.name !== 'hello';
  return true;
}

// All servers start first (an idle one costs nothing); cells are measured in rounds, alternating targets, and
// the best round counts, so a burst of other load on the machine does not decide a ratio.
const started = new Map<string, Awaited<ReturnType<typeof startTarget>>>();
for (const name of names) started.set(name, await startTarget(name));
const results = new Map<string, Map<string, number>>(endpoints.map((endpoint) => [endpoint.name, new Map()]));
for (let round = 0; round < rounds; round += 1) {
  for (const endpoint of endpoints) {
    for (const name of names) {
      const target = started.get(name);
      if (!target || !serves(name, endpoint)) continue;
      const value = await measure(name, target.info, endpoint);
      const row = results.get(endpoint.name);
      row?.set(name, Math.max(row.get(name) ?? 0, value));
    }
  }
}
for (const { child } of started.values()) {
  child.kill('SIGTERM');
  await once(child, 'exit');
}

process.stdout.write(
  `\nOIDC throughput, requests/s (${seconds}s per cell, concurrency ${concurrency}, each server in its own process, best of ${rounds} rounds)\n`,
);
process.stdout.write(`${'endpoint'.padEnd(20)}${names.map((name) => name.padStart(16)).join('')}  ratios\n`);
for (const endpoint of endpoints) {
  const row = results.get(endpoint.name) ?? new Map<string, number>();
  const reference =
    endpoint.reference === 'hello' ? (results.get('hello')?.get('hello') ?? 0) : (row.get('bare') ?? 0);
  const cells = names
    .map((name) => (row.has(name) ? (row.get(name) ?? 0).toFixed(0) : '-').padStart(16))
    .join('');
  const ratios = names
    .filter((name) => name.startsWith('latch') && row.has(name) && reference > 0)
    .map((name) => `${name} ${((row.get(name) ?? 0) / reference).toFixed(2)}x ${endpoint.reference}`)
    .join(', ');
  process.stdout.write(`${endpoint.name.padEnd(20)}${cells}  ${ratios}\n`);
}
