import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveEncryptionKey } from '../../src/config/encryption-key.ts';
import { ConfigError, loadConfig } from '../../src/config/env.ts';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'latch-config-'));

describe('configuration', () => {
  it('uses Pocket ID defaults with no environment at all', () => {
    const cwd = emptyDir();
    const config = loadConfig({}, cwd);
    assert.equal(config.appUrl, 'http://localhost:1411');
    assert.equal(config.port, 1411);
    assert.equal(config.host, '0.0.0.0');
    assert.deepEqual(config.database, {
      provider: 'sqlite',
      path: join(cwd, 'data/pocket-id.db'),
      busyTimeoutMs: 2500,
      journalMode: 'WAL',
    });
    assert.equal(config.keysStorage, 'file');
    assert.equal(config.keysPath, join(cwd, 'data/keys'));
    assert.equal(config.uploadPath, join(cwd, 'data/uploads'));
    assert.equal(config.auditLogRetentionDays, 90);
    assert.equal(config.trustProxy, false);
    assert.ok(Object.isFrozen(config));
  });

  for (const [variable, value] of [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DB_PROVIDER', 'mysql'],
    ['APP_URL', 'not-a-url'],
    ['APP_URL', 'https://id.example.com/sub/path'],
    ['TRUST_PROXY', 'maybe'],
    ['KEYS_STORAGE', 's3'],
    ['ENCRYPTION_KEY', 'short'],
    ['ALLOW_USER_SIGNUPS', 'sometimes'],
    ['SMTP_TLS', 'ssl'],
  ]) {
    it(`refuses ${variable}=${value} naming the variable`, () => {
      assert.throws(
        () => loadConfig({ [variable]: value }, emptyDir()),
        (error: unknown) =>
          error instanceof ConfigError && error.variable === variable && error.message.includes(variable),
      );
    });
  }

  it("accepts Pocket ID's SQLite connection strings", () => {
    const cwd = emptyDir();
    const config = loadConfig(
      {
        DB_CONNECTION_STRING:
          'file:data/other.db?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_txlock=immediate',
      },
      cwd,
    );
    assert.deepEqual(config.database, {
      provider: 'sqlite',
      path: join(cwd, 'data/other.db'),
      busyTimeoutMs: 5000,
      journalMode: 'WAL',
    });
  });

  it('selects PostgreSQL from a postgres:// string, and refuses a mismatched provider', () => {
    const config = loadConfig({ DB_CONNECTION_STRING: 'postgres://u:p@db:5432/latch' }, emptyDir());
    assert.deepEqual(config.database, {
      provider: 'postgres',
      connectionString: 'postgres://u:p@db:5432/latch',
    });
    assert.throws(
      () => loadConfig({ DB_PROVIDER: 'postgres', DB_CONNECTION_STRING: 'file:x.db' }, emptyDir()),
      ConfigError,
    );
  });

  it('reads secrets from NAME_FILE and settings from .env, the environment winning', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'key.txt'), 'a-secret-from-a-file-1234\n');
    writeFileSync(join(cwd, '.env'), 'PORT=1500\nAPP_NAME=From dotenv\nLOG_LEVEL=debug\n');
    const config = loadConfig({ ENCRYPTION_KEY_FILE: 'key.txt', LOG_LEVEL: 'warn' }, cwd);
    assert.equal(config.encryptionKey, 'a-secret-from-a-file-1234');
    assert.equal(config.port, 1500);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.settingsFromEnv.appName, 'From dotenv');
  });

  it('refuses an unreadable secret file', () => {
    assert.throws(
      () => loadConfig({ ENCRYPTION_KEY_FILE: '/nonexistent/key' }, emptyDir()),
      (error: unknown) => error instanceof ConfigError && error.variable === 'ENCRYPTION_KEY_FILE',
    );
  });

  it('generates an encryption key once, mode 0600, and warns', () => {
    const cwd = emptyDir();
    const config = loadConfig({}, cwd);
    const warnings: string[] = [];
    const first = resolveEncryptionKey(config, (path) => warnings.push(path));
    const second = resolveEncryptionKey(config, (path) => warnings.push(path));
    assert.equal(first, second);
    assert.ok(first.length >= 32);
    assert.equal(warnings.length, 1);
    assert.equal(statSync(warnings[0]).mode & 0o777, 0o600);
    assert.equal(readFileSync(warnings[0], 'utf8').trim(), first);
  });
});
