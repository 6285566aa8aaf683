import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const prefix = 'enc:v1:';

/** A 256-bit key for one purpose, derived from ENCRYPTION_KEY with HKDF-SHA256. */
export function deriveKey(encryptionKey: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, 'latch', `latch/${purpose}`, 32));
}

/** AES-256-GCM; the output is `enc:v1:` + base64(nonce ‖ ciphertext ‖ tag). */
export function encrypt(plaintext: string, key: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return prefix + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

export function isEncrypted(value: string): boolean {
  return value.startsWith(prefix);
}

/** @throws Error when the value was not encrypted with this key or was tampered with */
export function decrypt(value: string, key: Buffer): string {
  if (!isEncrypted(value)) throw new Error('value is not encrypted');
  const raw = Buffer.from(value.slice(prefix.length), 'base64');
  const nonce = raw.subarray(0, 12);
  const tag = raw.subarray(raw.length - 16);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}
