import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './env.ts';

export const generatedKeyFileName = '.encryption-key';

/**
 * Returns the configured ENCRYPTION_KEY, or the key generated once into the data folder (mode 0600).
 * `onGenerated` is told when a new key had to be written, so the caller can warn.
 */
export function resolveEncryptionKey(config: Config, onGenerated: (path: string) => void): string {
  if (config.encryptionKey) return config.encryptionKey;
  const path = join(config.dataPath, generatedKeyFileName);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(config.dataPath, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  onGenerated(path);
  return key;
}
