/**
 * Row types as both engines return them: timestamps as ISO strings, json columns as JSON text,
 * booleans as boolean (PostgreSQL) or 0/1 (SQLite). Repositories normalise with `toBool` / `parseJson`.
 */
type Bool = boolean | number;
type Timestamp = string;
type Json = string;

export interface KvTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  username: string;
  email: string | null;
  email_verified: Bool;
  first_name: string;
  last_name: string;
  display_name: string;
  is_admin: Bool;
  ldap_id: string | null;
  locale: string | null;
  disabled: Bool;
}

export interface UserGroupsTable {
  id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  friendly_name: string;
  name: string;
  ldap_id: string | null;
}

export interface UserGroupsUsersTable {
  user_id: string;
  user_group_id: string;
}

export interface CustomClaimsTable {
  id: string;
  key: string;
  value: string;
  user_id: string | null;
  user_group_id: string | null;
}

export interface AuditLogsTable {
  id: string;
  created_at: Timestamp;
  event: string;
  ip_address: string | null;
  user_agent: string;
  country: string | null;
  city: string | null;
  data: Json;
  user_id: string | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  auth_time: Timestamp;
  amr: Json;
  ip_address: string | null;
  user_agent: string;
}

export interface ReauthenticationTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  session_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface WebauthnCredentialsTable {
  id: string;
  created_at: Timestamp;
  name: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: number;
  aaguid: string;
  attestation_type: string;
  transports: Json;
  backup_eligible: Bool;
  backup_state: Bool;
  last_used_at: Timestamp | null;
  user_id: string;
}

export interface WebauthnChallengesTable {
  id: string;
  challenge: string;
  ceremony: string;
  user_id: string | null;
  user_verification: string;
  data: Json;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface OneTimeAccessTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SignupTokensTable {
  id: string;
  token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  usage_limit: number;
  usage_count: number;
}

export interface SignupTokensUserGroupsTable {
  signup_token_id: string;
  user_group_id: string;
}

export interface ApiKeysTable {
  id: string;
  created_at: Timestamp;
  name: string;
  description: string | null;
  key_hash: string;
  expires_at: Timestamp;
  last_used_at: Timestamp | null;
  expiration_email_sent: Bool;
  user_id: string;
}

export interface OidcClientsTable {
  id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  name: string;
  description: string;
  callback_urls: Json;
  logout_callback_urls: Json;
  back_channel_logout_url: string | null;
  image_type: string | null;
  dark_image_type: string | null;
  created_by_id: string | null;
  is_public: Bool;
  pkce_enabled: Bool;
  requires_reauthentication: Bool;
  skip_consent: Bool;
  is_group_restricted: Bool;
  launch_url: string | null;
  access_token_duration_minutes: number;
  refresh_token_duration_minutes: number;
  credentials: Json;
}

export interface OidcClientSecretsTable {
  id: string;
  client_id: string;
  hash: string;
  prefix: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
}

export interface OidcClientsAllowedUserGroupsTable {
  oidc_client_id: string;
  user_group_id: string;
}

export interface UserAuthorizedOidcClientsTable {
  user_id: string;
  client_id: string;
  scope: Json;
  last_used_at: Timestamp;
}

export interface OidcPayloadsTable {
  id: string;
  kind: string;
  payload: Json;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
}

export interface JobLeasesTable {
  name: string;
  owner: string;
  leased_until: Timestamp;
  last_run_at: Timestamp | null;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

/** `status`: pending → approved | denied; approved → consumed once the requesting browser has its session. */
export interface DeviceLoginRequestsTable {
  id: string;
  user_code: string;
  token_hash: string;
  status: 'pending' | 'approved' | 'denied' | 'consumed';
  user_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  decided_at: Timestamp | null;
}

export interface DB {
  rate_limits: RateLimitsTable;
  device_login_requests: DeviceLoginRequestsTable;
  job_leases: JobLeasesTable;
  kv: KvTable;
  app_config: KvTable;
  users: UsersTable;
  user_groups: UserGroupsTable;
  user_groups_users: UserGroupsUsersTable;
  custom_claims: CustomClaimsTable;
  audit_logs: AuditLogsTable;
  sessions: SessionsTable;
  reauthentication_tokens: ReauthenticationTokensTable;
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
  one_time_access_tokens: OneTimeAccessTokensTable;
  signup_tokens: SignupTokensTable;
  signup_tokens_user_groups: SignupTokensUserGroupsTable;
  api_keys: ApiKeysTable;
  oidc_clients: OidcClientsTable;
  oidc_client_secrets: OidcClientSecretsTable;
  oidc_clients_allowed_user_groups: OidcClientsAllowedUserGroupsTable;
  user_authorized_oidc_clients: UserAuthorizedOidcClientsTable;
  oidc_payloads: OidcPayloadsTable;
}
