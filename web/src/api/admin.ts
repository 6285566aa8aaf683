/** Shapes of the admin REST API as the web client reads them. */
export interface Page<T> {
  data: T[];
  pagination: { totalPages: number; totalItems: number; currentPage: number; itemsPerPage: number };
}

export interface CustomClaim {
  key: string;
  value: string;
}

export interface UserGroupSummary {
  id: string;
  friendlyName: string;
  name: string;
}

export interface AdminUser {
  id: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
  locale: string | null;
  ldapId: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  isAdmin: boolean;
  disabled: boolean;
  customClaims: CustomClaim[];
  userGroups: UserGroupSummary[];
}

export interface FederatedIdentity {
  issuer: string;
  subject?: string;
  audience?: string;
  jwks?: string;
  replayProtection?: boolean;
}

export interface ClientCredentials {
  federatedIdentities: FederatedIdentity[];
  jwksUri: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
}

/** `GET /api/oidc/clients/:id/preview/:userId`: decoded claim sets; nothing is issued. */
export interface TokenPreview {
  idToken: Record<string, unknown>;
  accessToken: Record<string, unknown>;
  userInfo: Record<string, unknown>;
}

export interface OidcClient {
  id: string;
  name: string;
  description: string;
  callbackURLs: string[];
  logoutCallbackURLs: string[];
  backChannelLogoutUrl: string | null;
  credentials: ClientCredentials;
  isPublic: boolean;
  pkceEnabled: boolean;
  requiresReauthentication: boolean;
  skipConsent: boolean;
  isGroupRestricted: boolean;
  launchURL: string | null;
  hasLogo: boolean;
  hasDarkLogo: boolean;
  accessTokenDurationMinutes: number;
  refreshTokenDurationMinutes: number;
  allowedUserGroupsCount: number;
  allowedUserGroups?: UserGroupSummary[];
}

export interface ClientSecret {
  id: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  isActive: boolean;
}

export interface ApiKey {
  id: string;
  name: string;
  description: string | null;
  expiresAt: string;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface AccessibleClient {
  id: string;
  name: string;
  description: string;
  hasLogo: boolean;
  launchURL: string | null;
  lastUsedAt: string | null;
}

export function listQuery(
  page: number,
  search: string,
  sort?: { column: string; direction: 'asc' | 'desc' },
) {
  const params = new URLSearchParams({ 'pagination[page]': String(page), 'pagination[limit]': '20' });
  if (search) params.set('search', search);
  if (sort) {
    params.set('sort[column]', sort.column);
    params.set('sort[direction]', sort.direction);
  }
  return params.toString();
}

export interface AdminPasskey {
  id: string;
  name: string;
  credentialID: string;
  backupEligible: boolean;
  backupState: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AdminGroup extends UserGroupSummary {
  userCount: number;
  customClaims: CustomClaim[];
  users: Array<{ id: string; username: string; displayName?: string }>;
  allowedOidcClients: Array<{ id: string; name: string }>;
}
