/**
 * A software passkey authenticator for server tests: it answers WebAuthn options the way a browser with a
 * platform authenticator would (attestation `none`), so tests can register and sign in without Chromium, and
 * craft bad responses (other origin, other RP ID, no user verification, replays).
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

type Cbor = number | string | Uint8Array | Cbor[] | Map<number | string, Cbor> | boolean;

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const head = Buffer.alloc(5);
  head[0] = (major << 5) | 26;
  head.writeUInt32BE(length, 1);
  return head;
}

/** The subset of CBOR that attestation objects and COSE keys use. */
export function encodeCbor(value: Cbor): Buffer {
  if (typeof value === 'boolean') return Buffer.from([value ? 0xf5 : 0xf4]);
  if (typeof value === 'number') return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(encodeCbor)]);
  const parts: Buffer[] = [cborHead(5, value.size)];
  for (const [key, item] of value) parts.push(encodeCbor(key), encodeCbor(item));
  return Buffer.concat(parts);
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export type SoftAlgorithm = 'ES256' | 'EdDSA';

export interface SoftCredential {
  readonly id: string;
  readonly algorithm: SoftAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly userHandle: string;
  readonly rpId: string;
  signCount: number;
}

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  challenge?: string;
  type?: string;
  backupEligible?: boolean;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
  pubKeyCredParams: { alg: number }[];
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
}

export interface SoftAuthenticatorOptions {
  readonly origin: string;
  readonly algorithm?: SoftAlgorithm;
  readonly aaguid?: string;
  /** Counters start at 0 and, like most passkey providers, stay there unless this is set. */
  readonly countSignatures?: boolean;
}

export function createSoftAuthenticator(options: SoftAuthenticatorOptions) {
  const credentials: SoftCredential[] = [];
  const aaguid = Buffer.from(
    (options.aaguid ?? 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4').replaceAll('-', ''),
    'hex',
  );

  function flags(userVerified: boolean, attested: boolean, backupEligible: boolean): number {
    return 0x01 | (userVerified ? 0x04 : 0) | (backupEligible ? 0x18 : 0) | (attested ? 0x40 : 0);
  }

  function clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  function coseKey(credential: SoftCredential): Buffer {
    const jwk = credential.publicKey.export({ format: 'jwk' });
    if (credential.algorithm === 'EdDSA') {
      return encodeCbor(
        new Map<number, Cbor>([
          [1, 1],
          [3, -8],
          [-1, 6],
          [-2, Buffer.from(jwk.x!, 'base64url')],
        ]),
      );
    }
    return encodeCbor(
      new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
  }

  function signWith(credential: SoftCredential, data: Buffer): Buffer {
    return credential.algorithm === 'EdDSA'
      ? sign(null, data, credential.privateKey)
      : sign('sha256', data, credential.privateKey);
  }

  return {
    credentials,

    /** Answers `navigator.credentials.create()` with a new resident credential. */
    register(optionsJSON: CreationOptions, overrides: CeremonyOverrides = {}) {
      const algorithm = options.algorithm ?? 'ES256';
      const { privateKey, publicKey } =
        algorithm === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const rpId = overrides.rpId ?? optionsJSON.rp.id ?? new URL(options.origin).hostname;
      const credential: SoftCredential = {
        id: b64url(randomBytes(16)),
        algorithm,
        privateKey,
        publicKey,
        userHandle: optionsJSON.user.id,
        rpId,
        signCount: 0,
      };
      const credentialId = Buffer.from(credential.id, 'base64url');
      const lengthBytes = Buffer.alloc(2);
      lengthBytes.writeUInt16BE(credentialId.length);
      const authData = Buffer.concat([
        sha256(rpId),
        Buffer.from([flags(overrides.userVerified ?? true, true, overrides.backupEligible ?? false)]),
        Buffer.alloc(4),
        aaguid,
        lengthBytes,
        credentialId,
        coseKey(credential),
      ]);
      const attestationObject = encodeCbor(
        new Map<string, Cbor>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData],
        ]),
      );
      credentials.push(credential);
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key' as const,
        response: {
          clientDataJSON: b64url(
            clientData(
              overrides.type ?? 'webauthn.create',
              overrides.challenge ?? optionsJSON.challenge,
              overrides.origin ?? options.origin,
            ),
          ),
          attestationObject: b64url(attestationObject),
          transports: ['internal'],
        },
        authenticatorAttachment: 'platform' as const,
        clientExtensionResults: {},
      };
    },

    /** Answers `navigator.credentials.get()` with the given (default: the last) credential. */
    assert(optionsJSON: RequestOptions, overrides: CeremonyOverrides & { credential?: SoftCredential } = {}) {
      const credential = overrides.credential ?? credentials.at(-1);
      if (!credential) throw new Error('the soft authenticator holds no credential');
      if (options.countSignatures) credential.signCount += 1;
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(credential.signCount);
      const authData = Buffer.concat([
        sha256(overrides.rpId ?? optionsJSON.rpId ?? credential.rpId),
        Buffer.from([flags(overrides.userVerified ?? true, false, overrides.backupEligible ?? false)]),
        counter,
      ]);
      const clientDataJSON = clientData(
        overrides.type ?? 'webauthn.get',
        overrides.challenge ?? optionsJSON.challenge,
        overrides.origin ?? options.origin,
      );
      const signature = signWith(credential, Buffer.concat([authData, sha256(clientDataJSON)]));
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key' as const,
        response: {
          clientDataJSON: b64url(clientDataJSON),
          authenticatorData: b64url(authData),
          signature: b64url(signature),
          userHandle: credential.userHandle,
        },
        authenticatorAttachment: 'platform' as const,
        clientExtensionResults: {},
      };
    },
  };
}

export type SoftAuthenticator = ReturnType<typeof createSoftAuthenticator>;
