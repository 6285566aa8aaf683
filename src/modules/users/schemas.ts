import { z } from 'zod';
import { customClaimSchema } from '../custom-claims/routes.ts';

export const usernameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters')
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.@-]*$/,
    'may contain only letters, digits and _ . @ -, starting with a letter or digit',
  );

const emailSchema = z.email({ message: 'must be a valid email address' }).max(255);

export const userGroupSummarySchema = z.object({
  id: z.string(),
  friendlyName: z.string(),
  name: z.string(),
  customClaims: z.array(customClaimSchema),
  ldapId: z.string().nullable(),
  createdAt: z.string(),
});

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  firstName: z.string(),
  lastName: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  locale: z.string().nullable(),
  customClaims: z.array(customClaimSchema),
  userGroups: z.array(userGroupSummarySchema),
  ldapId: z.string().nullable(),
  disabled: z.boolean(),
});
export type UserDto = z.infer<typeof userSchema>;
export type { User } from './repository.ts';

export const userCreateSchema = z.object({
  id: z.uuid({ message: 'must be a UUID' }).optional(),
  username: usernameSchema,
  email: emailSchema.nullish().or(z.literal('')),
  emailVerified: z.boolean().optional(),
  firstName: z.string().max(50, 'must be at most 50 characters').optional(),
  lastName: z.string().max(50, 'must be at most 50 characters').optional(),
  displayName: z.string().max(100, 'must be at most 100 characters').optional(),
  isAdmin: z.boolean().optional(),
  locale: z.string().max(20).nullish(),
  disabled: z.boolean().optional(),
  userGroupIds: z.array(z.string()).max(1000).optional(),
});
export type UserCreateInput = z.infer<typeof userCreateSchema>;

/** Fields a client leaves out keep their current values. */
export const userUpdateSchema = userCreateSchema.omit({ id: true, userGroupIds: true }).partial();
export type UserUpdateInput = z.infer<typeof userUpdateSchema>;

export const userGroupIdsSchema = z.object({ userGroupIds: z.array(z.string()).max(1000) });

export { passkeyDtoSchema as passkeySchema } from '../passkeys/schemas.ts';

export const userIdParams = z.object({ id: z.string().min(1).max(128) });
