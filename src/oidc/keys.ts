import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Config } from '../config/env.ts';
import type { Database } from '../db/database.ts';
import { readKeyStoreRecord, writeKeyStoreRecord } from './clients-repository.ts';

export const signingAlgorithms = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** The longest access-token lifetime a client can be given (525,600 minutes, as upstream allows). */
export const longestAccessTokenLifetimeSeconds = 365 * 24 * 3600;

/**
 * A retired key stays published this long after a rotation, so every token it signed still verifies until it
 * expires: access tokens are JWTs that may live up to a year.
 */
export const retiredKeyGraceSeconds = longestAccessTokenLifetimeSeconds;

export interface StoredKey {
  readonly jwk: JWK & { kid: string; alg: string };
  readonly createdAt: string;
  /** Set when a newer key replaced it; the key is published but no longer signs. */
  readonly retiredAt?: string;
}

export interface KeyStore {
  readonly keys: readonly StoredKey[];
}

const fileName = 'jwks.enc';
const kvKey = 'oidc_signing_keys';

function keyEncryptionKey(encryptionKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, 'latch', 'latch/jwk-kek', 32));
}

/** AES-256-GCM, stored as base64(nonce ‖ ciphertext ‖ tag). */
export function encryptKeyStore(store: KeyStore, encryptionKey: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyEncryptionKey(encryptionKey), nonce);
  const body = Buffer.concat([cipher.update(JSON.stringify(store), 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

/** @throws Error when the data was not encrypted with this key or was tampered with */
export function decryptKeyStore(data: string, encryptionKey: string): KeyStore {
  const raw = Buffer.from(data.trim(), 'base64');
  const nonce = raw.subarray(0, 12);
  const tag = raw.subarray(raw.length - 16);
  const decipher = createDecipheriv('aes-256-gcm', keyEncryptionKey(encryptionKey), nonce);
  decipher.setAuthTag(tag);
  try {
    const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    return JSON.parse(text.toString('utf8')) as KeyStore;
  } catch (cause) {
    throw new Error(
      'The signing keys cannot be decrypted: is ENCRYPTION_KEY the one they were created with?',
      {
        cause,
      },
    );
  }
}

export async function generateSigningKey(
  alg: SigningAlgorithm = 'RS256',
  crv?: string,
  now = new Date(),
): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg.startsWith('RS') ? { modulusLength: 2048 } : {}),
    ...(alg === 'EdDSA' ? { crv: crv ?? 'Ed25519' } : {}),
  });
  const jwk = await exportJWK(privateKey);
  const kid = createHash('sha256').update(randomUUID()).digest('base64url').slice(0, 16);
  return { jwk: { ...jwk, kid, alg, use: 'sig' }, createdAt: now.toISOString() };
}

interface KeyStorage {
  read(): Promise<string | undefined>;
  write(data: string): Promise<void>;
}

function storageFor(config: Config, db: Database): KeyStorage {
  if (config.keysStorage === 'database') {
    return {
      read: () => readKeyStoreRecord(db, kvKey),
      write: (data) => writeKeyStoreRecord(db, kvKey, data),
    };
  }
  const path = join(config.keysPath, fileName);
  return {
    async read() {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    async write(data) {
      mkdirSync(config.keysPath, { recursive: true, mode: 0o700 });
      writeFileSync(`${path}.tmp`, data, { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    },
  };
}

/** Drops retired keys whose grace period is over. */
function pruneRetired(store: KeyStore, now: Date): KeyStore {
  return {
    keys: store.keys.filter(
      (key) => !key.retiredAt || now.getTime() - Date.parse(key.retiredAt) < retiredKeyGraceSeconds * 1000,
    ),
  };
}

/** Loads the signing keys, generating an RS256 key on first start. The first key signs. */
export async function loadSigningKeys(deps: {
  config: Config;
  db: Database;
  encryptionKey: string;
  now?: Date;
}): Promise<KeyStore> {
  const storage = storageFor(deps.config, deps.db);
  const now = deps.now ?? new Date();
  const data = await storage.read();
  if (data) return pruneRetired(decryptKeyStore(data, deps.encryptionKey), now);
  const store: KeyStore = { keys: [await generateSigningKey('RS256', undefined, now)] };
  await storage.write(encryptKeyStore(store, deps.encryptionKey));
  return store;
}

/** Replaces the signing key; the previous ones stay published for the grace period. */
export async function rotateSigningKey(deps: {
  config: Config;
  db: Database;
  encryptionKey: string;
  alg: SigningAlgorithm;
  crv?: string;
  now?: Date;
}): Promise<StoredKey> {
  const now = deps.now ?? new Date();
  const current = await loadSigningKeys(deps);
  const next = await generateSigningKey(deps.alg, deps.crv, now);
  const store: KeyStore = pruneRetired(
    {
      keys: [
        next,
        ...current.keys.map((key) => (key.retiredAt ? key : { ...key, retiredAt: now.toISOString() })),
      ],
    },
    now,
  );
  await storageFor(deps.config, deps.db).write(encryptKeyStore(store, deps.encryptionKey));
  return next;
}

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

export function publicJwk(key: StoredKey): JWK {
  return Object.fromEntries(Object.entries(key.jwk).filter(([name]) => !privateMembers.includes(name)));
}

export function currentAlgorithm(store: KeyStore): string {
  return store.keys[0].jwk.alg;
}
