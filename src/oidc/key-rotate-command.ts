import { parseArgs } from 'node:util';
import { withCommandContext } from '../command-context.ts';
import { resolveEncryptionKey } from '../config/encryption-key.ts';
import type { Config } from '../config/env.ts';
import { rotateSigningKey, type SigningAlgorithm, signingAlgorithms } from './keys.ts';

/**
 * `latch key-rotate [--alg RS256|RS384|RS512|ES256|ES384|ES512|EdDSA] [--crv Ed25519]`: replaces the signing
 * key; the previous public key stays in the JWKS for a grace period. Restart the server to sign with it.
 */
export async function runKeyRotate(args: string[], config?: Config): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { alg: { type: 'string', default: 'RS256' }, crv: { type: 'string' } },
  });
  const alg = values.alg as SigningAlgorithm;
  if (!signingAlgorithms.includes(alg)) {
    process.stderr.write(`--alg must be one of ${signingAlgorithms.join(', ')}\n`);
    return 2;
  }
  if (values.crv !== undefined && (alg !== 'EdDSA' || values.crv !== 'Ed25519')) {
    process.stderr.write('--crv is only valid with --alg EdDSA, and must be Ed25519\n');
    return 2;
  }
  return withCommandContext(config, async ({ config: resolved, db }) => {
    const encryptionKey = resolveEncryptionKey(resolved, () => {});
    const key = await rotateSigningKey({ config: resolved, db, encryptionKey, alg, crv: values.crv });
    process.stdout.write(
      `New ${alg} signing key ${key.jwk.kid} created. Restart Latch to start signing with it.\n`,
    );
    return 0;
  });
}
