import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { validateCallbackUrl } from '../../lib/callback-urls.ts';

export interface ClientSchemaOptions {
  /** `ALLOW_INSECURE_CALLBACK_URLS`: plain http outside loopback is allowed when true (upstream's default). */
  readonly allowInsecureCallbackUrls: boolean;
}

const callbackUrl = (options: ClientSchemaOptions) =>
  z
    .string()
    .max(2048)
    .superRefine((value, context) => {
      const problem = validateCallbackUrl(value, { allowInsecure: options.allowInsecureCallbackUrls });
      if (problem) context.addIssue({ code: 'custom', message: problem });
    });

/** An absolute http(s) URL without wildcards, e.g. a back-channel logout or JWKS URL. */
const exactWebUrl = (options: ClientSchemaOptions) =>
  z
    .string()
    .max(2048)
    .superRefine((value, context) => {
      const problem =
        validateCallbackUrl(value, { allowInsecure: options.allowInsecureCallbackUrls }) ??
        (/^https?:\/\//i.test(value) && !value.includes('*')
          ? undefined
          : 'must be an http(s) URL without wildcards');
      if (problem) context.addIssue({ code: 'custom', message: problem });
    });

const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const federatedIdentitySchema = z.object({
  issuer: z.string().min(1, 'must not be empty').max(2048),
  subject: z.string().max(2048).optional(),
  audience: z.string().max(2048).optional(),
  jwks: httpUrl.optional().or(z.literal('')),
  replayProtection: z.boolean().optional(),
});

/** Private members of a JWK: a client registers public keys only. */
const privateJwkMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

const publicJwkSchema = z.record(z.string(), z.unknown()).superRefine((jwk, context) => {
  const secret = privateJwkMembers.find((member) => member in jwk);
  if (secret) {
    context.addIssue({ code: 'custom', message: `must be a public key (remove the "${secret}" member)` });
    return;
  }
  try {
    createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    context.addIssue({ code: 'custom', message: 'must be a valid RSA, EC or OKP public JWK' });
  }
});

export const jwksSchema = z.object({ keys: z.array(publicJwkSchema).min(1, 'must contain a key').max(20) });

/** `credentials` as stored: fields left out of an update keep their values; null clears jwks/jwksUri. */
const clientCredentialsSchema = (options: ClientSchemaOptions) =>
  z
    .object({
      federatedIdentities: z.array(federatedIdentitySchema).max(50).optional(),
      jwksUri: exactWebUrl(options).nullish().or(z.literal('')),
      jwks: jwksSchema.nullish(),
    })
    .refine((value) => !(value.jwks && value.jwksUri), {
      message: 'set either jwks or jwksUri, not both',
      path: ['jwksUri'],
    });

const minutes = (max: number) =>
  z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1 minute')
    .max(max, `must be at most ${max} minutes`);

const clientFields = (options: ClientSchemaOptions) => ({
  name: z.string().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
  description: z.string().max(1000).optional(),
  callbackURLs: z.array(callbackUrl(options)).max(100),
  logoutCallbackURLs: z.array(callbackUrl(options)).max(100),
  backChannelLogoutUrl: exactWebUrl(options).nullish().or(z.literal('')),
  isPublic: z.boolean(),
  pkceEnabled: z.boolean(),
  requiresReauthentication: z.boolean(),
  skipConsent: z.boolean(),
  isGroupRestricted: z.boolean(),
  launchURL: httpUrl.nullish().or(z.literal('')),
  credentials: clientCredentialsSchema(options),
  accessTokenDurationMinutes: minutes(525_600),
  refreshTokenDurationMinutes: minutes(5_256_000),
  hasLogo: z.boolean(),
  hasDarkLogo: z.boolean(),
  logoUrl: httpUrl.nullish().or(z.literal('')),
  darkLogoUrl: httpUrl.nullish().or(z.literal('')),
});

const clientIdSchema = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(128, 'must be at most 128 characters')
  .regex(/^[a-zA-Z0-9._~:-]+$/, 'may contain only letters, digits and . _ ~ : -');

/**
 * Request bodies of the client routes. Callback URL rules depend on `ALLOW_INSECURE_CALLBACK_URLS`, so the
 * schemas are built from the configuration.
 */
export function clientBodySchemas(options: ClientSchemaOptions) {
  const fields = clientFields(options);
  return {
    /** Create: a name is required; everything else has upstream's default. */
    create: z.object(fields).partial().required({ name: true }).extend({ id: clientIdSchema.optional() }),
    /** Update: fields left out keep their current values (allowed groups are never touched here). */
    update: z.object(fields).partial(),
  };
}
type ClientBodySchemas = ReturnType<typeof clientBodySchemas>;
export type ClientCreateInput = z.infer<ClientBodySchemas['create']>;
export type ClientUpdateInput = z.infer<ClientBodySchemas['update']>;

const groupSummary = z.object({ id: z.string(), friendlyName: z.string(), name: z.string() });

export const clientSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  callbackURLs: z.array(z.string()),
  logoutCallbackURLs: z.array(z.string()),
  isPublic: z.boolean(),
  pkceEnabled: z.boolean(),
  requiresReauthentication: z.boolean(),
  skipConsent: z.boolean(),
  isGroupRestricted: z.boolean(),
  launchURL: z.string().nullable(),
  hasLogo: z.boolean(),
  hasDarkLogo: z.boolean(),
  backChannelLogoutUrl: z.string().nullable(),
  credentials: z.object({
    federatedIdentities: z.array(federatedIdentitySchema),
    jwksUri: z.string().nullable(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
  }),
  accessTokenDurationMinutes: z.number().int(),
  refreshTokenDurationMinutes: z.number().int(),
  createdAt: z.string(),
  allowedUserGroupsCount: z.number().int(),
});
export type ClientDto = z.infer<typeof clientSchema>;

export const clientDetailSchema = clientSchema.extend({ allowedUserGroups: z.array(groupSummary) });

export const clientMetaSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  hasLogo: z.boolean(),
  hasDarkLogo: z.boolean(),
  launchURL: z.string().nullable(),
  requiresReauthentication: z.boolean(),
  clientType: z.string(),
});

export const secretSchema = z.object({
  id: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  isActive: z.boolean(),
});

export const secretCreateSchema = z
  .object({
    secret: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
    expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time' }).nullish(),
  })
  .nullish();

export const clientIdParams = z.object({ id: z.string().min(1).max(256) });

const claimSetSchema = z.record(z.string(), z.unknown());
export const tokenPreviewSchema = z.object({
  idToken: claimSetSchema,
  accessToken: claimSetSchema,
  userInfo: claimSetSchema,
});
