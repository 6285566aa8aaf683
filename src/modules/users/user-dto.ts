import type { Database } from '../../db/database.ts';
import type { CustomClaims } from '../custom-claims/service.ts';
import { listGroupsOfUsers, type User } from './repository.ts';
import type { UserDto } from './schemas.ts';

export type UserDtoLoader = (users: readonly User[], db?: Database) => Promise<UserDto[]>;

/**
 * Upstream's UserDto for a list of users with their groups and custom claims: three queries for any number of
 * users. `db` may be a transaction, so sign-in and signup can answer from inside theirs.
 */
export function createUserDtoLoader(deps: {
  db: Database;
  claims: Pick<CustomClaims, 'ofUsers' | 'ofGroups'>;
}): UserDtoLoader {
  return async (users, db = deps.db) => {
    const ids = users.map((user) => user.id);
    const groups = await listGroupsOfUsers(db, ids);
    const groupIds = [...new Set([...groups.values()].flat().map((group) => group.id))];
    const userClaims = await deps.claims.ofUsers(ids, db);
    const groupClaims = await deps.claims.ofGroups(groupIds, db);
    return users.map((user) => ({
      id: user.id,
      username: user.username,
      email: user.email,
      emailVerified: user.emailVerified,
      firstName: user.firstName,
      lastName: user.lastName,
      displayName: user.displayName,
      isAdmin: user.isAdmin,
      locale: user.locale,
      customClaims: userClaims.get(user.id) ?? [],
      userGroups: (groups.get(user.id) ?? []).map((group) => ({
        ...group,
        customClaims: groupClaims.get(group.id) ?? [],
      })),
      ldapId: user.ldapId,
      disabled: user.disabled,
    }));
  };
}
