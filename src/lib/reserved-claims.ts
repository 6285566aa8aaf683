/** Claim keys a custom claim may not use: the standard claims Latch sets itself and the JWT registered claims. */
export const reservedClaimKeys: ReadonlySet<string> = new Set([
  'sub',
  'given_name',
  'family_name',
  'name',
  'display_name',
  'email',
  'email_verified',
  'preferred_username',
  'picture',
  'groups',
  'type',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'client_id',
  'nbf',
  'jti',
  'scope',
  'scp',
  'sid',
  'at_hash',
  'c_hash',
  'cnf',
]);

export function isReservedClaimKey(key: string): boolean {
  return reservedClaimKeys.has(key.trim().toLowerCase());
}
