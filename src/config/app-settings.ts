import { z } from 'zod';

/**
 * Settings an admin edits in the UI (Pocket ID's "application configuration").
 * Each key's environment variable is its UPPER_SNAKE name; the variables win when
 * UI_CONFIG_DISABLED=true. Values travel as strings, as upstream's API does.
 */
export type AppSettingType = 'string' | 'number' | 'bool' | 'list';

export interface AppSettingDefinition {
  readonly type: AppSettingType;
  readonly defaultValue: string;
  readonly isPublic: boolean;
  readonly sensitive?: boolean;
  readonly validate?: z.ZodType<string>;
}

const bool = z.enum(['true', 'false'], { message: 'must be true or false' });
const positiveInt = z.string().regex(/^[1-9][0-9]*$/, 'must be a positive whole number');
const port = z.string().regex(/^([0-9]{1,5})?$/, 'must be a port number');
const jsonList = z.string().refine((value) => {
  try {
    return Array.isArray(JSON.parse(value));
  } catch {
    return false;
  }
}, 'must be a JSON array');

function setting(
  type: AppSettingType,
  defaultValue: string,
  options: { isPublic?: boolean; sensitive?: boolean; validate?: z.ZodType<string> } = {},
): AppSettingDefinition {
  const validate =
    options.validate ??
    (type === 'bool' ? bool : type === 'number' ? positiveInt : type === 'list' ? jsonList : undefined);
  return { type, defaultValue, isPublic: options.isPublic ?? false, sensitive: options.sensitive, validate };
}

export const appSettingDefinitions = {
  // General
  appName: setting('string', 'Latch', { isPublic: true, validate: z.string().min(1).max(30) }),
  sessionDuration: setting('number', '60'),
  homePageUrl: setting('string', '/settings/account', { isPublic: true }),
  emailsVerified: setting('bool', 'false'),
  accentColor: setting('string', 'default', { isPublic: true }),
  disableAnimations: setting('bool', 'false', { isPublic: true }),
  allowOwnAccountEdit: setting('bool', 'true', { isPublic: true }),
  // Signup
  allowUserSignups: setting('string', 'disabled', {
    isPublic: true,
    validate: z.enum(['disabled', 'withToken', 'open'], { message: 'must be disabled, withToken or open' }),
  }),
  signupDefaultUserGroupIDs: setting('list', '[]'),
  signupDefaultCustomClaims: setting('list', '[]'),
  // Email
  requireUserEmail: setting('bool', 'true', { isPublic: true }),
  smtpHost: setting('string', ''),
  smtpPort: setting('string', '', { validate: port }),
  smtpFrom: setting('string', ''),
  smtpUser: setting('string', ''),
  smtpPassword: setting('string', '', { sensitive: true }),
  smtpTls: setting('string', 'none', {
    validate: z.enum(['none', 'starttls', 'tls'], { message: 'must be none, starttls or tls' }),
  }),
  smtpSkipCertVerify: setting('bool', 'false'),
  emailLoginNotificationEnabled: setting('bool', 'false'),
  emailOneTimeAccessAsUnauthenticatedEnabled: setting('bool', 'false', { isPublic: true }),
  emailOneTimeAccessAsAdminEnabled: setting('bool', 'false', { isPublic: true }),
  emailApiKeyExpirationEnabled: setting('bool', 'false'),
  emailVerificationEnabled: setting('bool', 'false', { isPublic: true }),
  // LDAP
  ldapEnabled: setting('bool', 'false', { isPublic: true }),
  ldapUrl: setting('string', ''),
  ldapBindDn: setting('string', ''),
  ldapBindPassword: setting('string', '', { sensitive: true }),
  ldapBase: setting('string', ''),
  ldapUserSearchFilter: setting('string', '(objectClass=person)'),
  ldapUserGroupSearchFilter: setting('string', '(objectClass=groupOfNames)'),
  ldapSkipCertVerify: setting('bool', 'false'),
  ldapAttributeUserUniqueIdentifier: setting('string', ''),
  ldapAttributeUserUsername: setting('string', ''),
  ldapAttributeUserEmail: setting('string', ''),
  ldapAttributeUserFirstName: setting('string', ''),
  ldapAttributeUserLastName: setting('string', ''),
  ldapAttributeUserDisplayName: setting('string', 'cn'),
  ldapAttributeUserProfilePicture: setting('string', ''),
  ldapAttributeGroupMember: setting('string', 'member'),
  ldapAttributeGroupUniqueIdentifier: setting('string', ''),
  ldapAttributeGroupName: setting('string', ''),
  ldapAdminGroupName: setting('string', ''),
  ldapSoftDeleteUsers: setting('bool', 'true'),
  // Passkeys
  webauthnUserVerification: setting('string', 'required', {
    validate: z.enum(['required', 'preferred'], { message: 'must be required or preferred' }),
  }),
  webauthnAllowSyncedPasskeys: setting('bool', 'true'),
  webauthnAuthenticatorAttachment: setting('string', 'any', {
    validate: z.enum(['any', 'platform', 'cross-platform'], {
      message: 'must be any, platform or cross-platform',
    }),
  }),
  // OIDC
  cimdUrlAllowlist: setting('list', '[]'),
} as const satisfies Record<string, AppSettingDefinition>;

export type AppSettingKey = keyof typeof appSettingDefinitions;
export type AppSettings = Record<AppSettingKey, string>;

export const appSettingKeys = Object.keys(appSettingDefinitions) as AppSettingKey[];

/** `ldapBindDn` -> `LDAP_BIND_DN`, `signupDefaultUserGroupIDs` -> `SIGNUP_DEFAULT_USER_GROUP_IDS`. */
export function settingEnvName(key: string): string {
  return key
    .replace(/IDs$/, 'Ids')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase();
}

export function defaultAppSettings(): AppSettings {
  return Object.fromEntries(
    appSettingKeys.map((key) => [key, appSettingDefinitions[key].defaultValue]),
  ) as AppSettings;
}
