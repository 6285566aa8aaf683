import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import type { User } from '../users/repository.ts';
import { listCustomClaimsOfOwners, listGroupsOfUser } from './repository.ts';

const customClaimSchema = z.object({ key: z.string(), value: z.string() });

export const userGroupDtoSchema = z.object({
  id: z.string(),
  friendlyName: z.string(),
  name: z.string(),
  createdAt: z.string(),
  ldapId: z.string().nullable(),
  customClaims: z.array(customClaimSchema),
});

/** Upstream's UserDto, field for field. */
export const userDtoSchema = z.object({
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
  userGroups: z.array(userGroupDtoSchema),
  ldapId: z.string().nullable(),
  disabled: z.boolean(),
});

export type UserDto = z.infer<typeof userDtoSchema>;

/** Builds the UserDto of a user with their groups and custom claims. */
export async function loadUserDto(db: Database, user: User): Promise<UserDto> {
  const groups = await listGroupsOfUser(db, user.id);
  const claims = await listCustomClaimsOfOwners(db, {
    userId: user.id,
    groupIds: groups.map((group) => group.id),
  });
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    emailVerified: user.emailVerified,
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    isAdmin: user.isAdmin,
    locale: user.locale,
    customClaims: claims
      .filter((claim) => claim.user_id === user.id)
      .map(({ key, value }) => ({ key, value })),
    userGroups: groups.map((group) => ({
      id: group.id,
      friendlyName: group.friendly_name,
      name: group.name,
      createdAt: group.created_at,
      ldapId: group.ldap_id,
      customClaims: claims
        .filter((claim) => claim.user_group_id === group.id)
        .map(({ key, value }) => ({ key, value })),
    })),
    ldapId: user.ldapId,
    disabled: user.disabled,
  };
}
