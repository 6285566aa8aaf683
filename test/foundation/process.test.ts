import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, startServer } from '../e2e/helpers/server.ts';
import { describeEachEngine } from '../helpers/test-app.ts';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

describe('server process', () => {
  for (const [variable, value] of [
    ['PORT', 'abc'],
    ['DB_PROVIDER', 'mysql'],
    ['APP_URL', 'not-a-url'],
  ]) {
    it(`exits non-zero with one line naming ${variable} when it is ${value}`, () => {
      const cwd = mkdtempSync(join(tmpdir(), 'latch-bad-config-'));
      const result = spawnSync(process.execPath, [cli], {
        cwd,
        env: { PATH: process.env.PATH, [variable]: value },
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.notEqual(result.status, 0);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0], new RegExp(variable));
      assert.ok(!existsSync(join(cwd, 'data')), 'nothing is created before the configuration is valid');
    });
  }

  it('starts with no configuration: SQLite file and generated key in ./data', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'latch-zero-config-'));
    const port = await freePort();
    const startedAt = Date.now();
    const child = spawn(process.execPath, [cli], {
      cwd,
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_JSON: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 20_000;
      let healthy = false;
      while (!healthy && child.exitCode === null && Date.now() < deadline) {
        healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (response) => response.status === 204,
          () => false,
        );
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(healthy, output);
      // The 1.5 s budget is measured by bench/startup.ts; here it only has to come up.
      assert.ok(Date.now() - startedAt < 20_000);
      assert.match(output, /ENCRYPTION_KEY is not set/);
      assert.ok(existsSync(join(cwd, 'data/pocket-id.db')));
      assert.equal(statSync(join(cwd, 'data/.encryption-key')).mode & 0o777, 0o600);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('listening on a Unix socket', () => {
  it('serves on UNIX_SOCKET with UNIX_SOCKET_MODE', async () => {
    const socketPath = join(mkdtempSync(join(tmpdir(), 'latch-socket-')), 'latch.sock');
    const server = await startServer({
      env: { UNIX_SOCKET: socketPath, UNIX_SOCKET_MODE: '0660' },
      healthUrl: false,
    });
    try {
      const deadline = Date.now() + 20_000;
      let status = 0;
      while (status !== 204 && Date.now() < deadline) {
        status = await new Promise<number>((resolve) => {
          const probe = request({ socketPath, path: '/healthz' }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          });
          probe.on('error', () => resolve(0));
          probe.end();
        });
        if (status !== 204) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(status, 204, server.output());
      assert.equal(statSync(socketPath).mode & 0o777, 0o660);
    } finally {
      await server.close();
    }
  });
});

describeEachEngine('graceful shutdown', (engine) => {
  it('SIGTERM during a slow request lets it finish, then exits 0', async () => {
    const server = await startServer({ db: engine });
    try {
      const responded = new Promise<number>((resolve, reject) => {
        const slow = request(
          `${server.url}/api/slow-upload`,
          { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        slow.on('error', reject);
        slow.write('{"part":');
        setTimeout(() => {
          server.process.kill('SIGTERM');
          setTimeout(() => slow.end('1}'), 700);
        }, 200);
      });
      const [status] = await Promise.all([responded, once(server.process, 'exit')]);
      assert.equal(status, 404, 'the in-flight request got its answer');
      assert.equal(server.process.exitCode, 0, server.output());
    } finally {
      await server.close();
    }
  });
});
