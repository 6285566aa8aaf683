import { z } from 'zod';
import { validateCallbackUrl } from './callback-url-validation.ts';

const callbackUrlSchema = z
  .string()
  .max(2048)
  .superRefine((value, context) => {
    const problem = validateCallbackUrl(value);
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
  jwks: z.string().max(2048).optional(),
  replayProtection: z.boolean().optional(),
});

export const clientCredentialsSchema = z.object({
  federatedIdentities: z.array(federatedIdentitySchema).max(50).optional(),
});

const minutes = (max: number) =>
  z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1 minute')
    .max(max, `must be at most ${max} minutes`);

const clientFields = {
  name: z.string().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
  description: z.string().max(1000).optional(),
  callbackURLs: z.array(callbackUrlSchema).max(100),
  logoutCallbackURLs: z.array(callbackUrlSchema).max(100),
  isPublic: z.boolean(),
  pkceEnabled: z.boolean(),
  requiresReauthentication: z.boolean(),
  skipConsent: z.boolean(),
  isGroupRestricted: z.boolean(),
  launchURL: httpUrl.nullish().or(z.literal('')),
  credentials: clientCredentialsSchema,
  accessTokenDurationMinutes: minutes(525_600),
  refreshTokenDurationMinutes: minutes(5_256_000),
  hasLogo: z.boolean(),
  hasDarkLogo: z.boolean(),
  logoUrl: httpUrl.nullish().or(z.literal('')),
  darkLogoUrl: httpUrl.nullish().or(z.literal('')),
};

/** Create: a name is required; everything else has upstream's default. */
export const clientCreateSchema = z
  .object(clientFields)
  .partial()
  .required({ name: true })
  .extend({
    id: z
      .string()
      .min(2, 'must be at least 2 characters')
      .max(128, 'must be at most 128 characters')
      .regex(/^[a-zA-Z0-9._~:-]+$/, 'may contain only letters, digits and . _ ~ : -')
      .optional(),
  });
export type ClientCreateInput = z.infer<typeof clientCreateSchema>;

/** Update: fields left out keep their current values (allowed groups are never touched here). */
export const clientUpdateSchema = z.object(clientFields).partial();
export type ClientUpdateInput = z.infer<typeof clientUpdateSchema>;

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
  credentials: z.object({ federatedIdentities: z.array(federatedIdentitySchema) }),
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
