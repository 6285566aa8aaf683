import { z } from 'zod';
import { parseJson, toBool } from '../../db/database.ts';
import type { WebauthnCredentialsTable } from '../../db/types.ts';

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*={0,2}$/, 'must be base64url');

/** `startRegistration()`'s result from @simplewebauthn/browser, as posted to register/finish. */
export const registrationResponseSchema = z.object({
  id: base64url(1400).min(1),
  rawId: base64url(1400).min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8192).min(1),
    attestationObject: base64url(65536).min(1),
    authenticatorData: base64url(65536).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(8192).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

/** `startAuthentication()`'s result from @simplewebauthn/browser, as posted to login/finish. */
export const authenticationResponseSchema = z.object({
  id: base64url(1400).min(1),
  rawId: base64url(1400).min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8192).min(1),
    authenticatorData: base64url(65536).min(1),
    signature: base64url(8192).min(1),
    userHandle: base64url(1024).optional().nullable(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

export type RegistrationResponseBody = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponseBody = z.infer<typeof authenticationResponseSchema>;

export const creationOptionsSchema = z.looseObject({ challenge: z.string() });
export const requestOptionsSchema = z.looseObject({ challenge: z.string() });

export const passkeyDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  credentialID: z.string(),
  attestationType: z.string(),
  transport: z.array(z.string()),
  aaguid: z.string(),
  backupEligible: z.boolean(),
  backupState: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export type PasskeyDto = z.infer<typeof passkeyDtoSchema>;

/** Upstream's passkey DTO of a stored credential (the public key and counter stay on the server). */
export function toPasskeyDto(row: WebauthnCredentialsTable): PasskeyDto {
  return {
    id: row.id,
    name: row.name,
    credentialID: row.credential_id,
    attestationType: row.attestation_type,
    transport: parseJson<string[]>(row.transports, []),
    aaguid: row.aaguid,
    backupEligible: toBool(row.backup_eligible),
    backupState: toBool(row.backup_state),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export const renamePasskeySchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
});
