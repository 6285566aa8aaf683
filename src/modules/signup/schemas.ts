import { z } from 'zod';
import { usernameSchema } from '../users/schemas.ts';

export { usernameSchema };

const nameSchema = (min: number) =>
  z
    .string()
    .trim()
    .min(min, min > 0 ? 'must not be empty' : undefined)
    .max(50, 'must be at most 50 characters');

export const emailSchema = z.email('must be an email address').max(255, 'must be at most 255 characters');

/** Body of POST /api/signup/setup and POST /api/signup. */
export const accountInputSchema = z.object({
  username: usernameSchema,
  email: z
    .union([emailSchema, z.literal('')])
    .nullish()
    .transform((value) => value || null),
  firstName: nameSchema(1),
  lastName: nameSchema(0).default(''),
  displayName: z.string().trim().max(100, 'must be at most 100 characters').optional(),
});

export const signupInputSchema = accountInputSchema.extend({
  token: z.string().max(100).optional(),
});

export type AccountInput = z.infer<typeof accountInputSchema>;

const duration = z.union([z.string().max(32), z.number().positive()]);

export const createSignupTokenSchema = z.object({
  ttl: duration,
  usageLimit: z.number().int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100'),
  userGroupIds: z.array(z.string().max(100)).max(100).default([]),
});

const groupSchema = z.object({
  id: z.string(),
  friendlyName: z.string(),
  name: z.string(),
  createdAt: z.string(),
  ldapId: z.string().nullable(),
});

export const signupTokenDtoSchema = z.object({
  id: z.string(),
  token: z.string(),
  expiresAt: z.string(),
  usageLimit: z.number(),
  usageCount: z.number(),
  userGroups: z.array(groupSchema),
  createdAt: z.string(),
});

export const listQuerySchema = z.object({
  'pagination[page]': z.coerce.number().int().min(1).default(1),
  'pagination[limit]': z.coerce.number().int().min(1).max(100).default(20),
});
