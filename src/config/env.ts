import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { type AppSettings, appSettingDefinitions, appSettingKeys, settingEnvName } from './app-settings.ts';

const boolString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const port = z
  .string()
  .regex(/^[0-9]+$/, 'expected a port number between 1 and 65535')
  .transform(Number)
  .refine((value) => value >= 1 && value <= 65535, 'expected a port number between 1 and 65535');

const appUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        (url.pathname === '/' || url.pathname === '')
      );
    } catch {
      return false;
    }
  }, 'expected an absolute http(s) URL without a path, e.g. https://id.example.com')
  .transform((value) => new URL(value).origin);

const envSchema = z.object({
  APP_ENV: z
    .enum(['production', 'development', 'test'], { message: 'expected production, development or test' })
    .default('production'),
  APP_URL: appUrl.default('http://localhost:1411'),
  INTERNAL_APP_URL: appUrl.optional(),
  ENCRYPTION_KEY: z.string().min(16, 'must be at least 16 bytes long').optional(),
  DB_PROVIDER: z.enum(['sqlite', 'postgres'], { message: 'expected sqlite or postgres' }).optional(),
  DB_CONNECTION_STRING: z.string().optional(),
  TRUST_PROXY: boolString.default(false),
  PORT: port.default(1411),
  HOST: z.string().min(1).default('0.0.0.0'),
  UNIX_SOCKET: z.string().optional(),
  UNIX_SOCKET_MODE: z
    .string()
    .regex(/^0?[0-7]{3}$/, 'expected an octal file mode such as 0660')
    .transform((value) => Number.parseInt(value, 8))
    .optional(),
  LOCAL_IPV6_RANGES: z.string().default(''),
  UPLOAD_PATH: z.string().default('data/uploads'),
  KEYS_STORAGE: z.enum(['file', 'database'], { message: 'expected file or database' }).default('file'),
  KEYS_PATH: z.string().default('data/keys'),
  MAXMIND_LICENSE_KEY: z.string().optional(),
  GEOLITE_DB_PATH: z.string().default('data/GeoLite2-City.mmdb'),
  GEOLITE_DB_URL: z
    .string()
    .default(
      'https://download.maxmind.com/app/geoip_download?edition_id=GeoLite2-City&license_key=%s&suffix=tar.gz',
    ),
  UI_CONFIG_DISABLED: boolString.default(false),
  TRACING_ENABLED: boolString.default(false),
  METRICS_ENABLED: boolString.default(false),
  STATIC_API_KEY: z.string().min(16, 'must be at least 16 characters long').optional(),
  DISABLE_RATE_LIMITING: boolString.default(false),
  AUDIT_LOG_RETENTION_DAYS: z
    .string()
    .regex(/^[1-9][0-9]*$/, 'expected a positive number of days')
    .transform(Number)
    .default(90),
  ALLOW_INSECURE_CALLBACK_URLS: boolString.default(true),
  VERSION_CHECK_DISABLED: boolString.default(false),
  ANALYTICS_DISABLED: boolString.default(false),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      message: 'expected trace, debug, info, warn, error, fatal or silent',
    })
    .default('info'),
  LOG_JSON: boolString.default(false),
});

export type DatabaseConfig =
  | {
      readonly provider: 'sqlite';
      readonly path: string;
      readonly busyTimeoutMs: number;
      readonly journalMode: string;
    }
  | { readonly provider: 'postgres'; readonly connectionString: string };

export interface Config {
  readonly env: 'production' | 'development' | 'test';
  readonly appUrl: string;
  readonly internalAppUrl: string;
  readonly dataPath: string;
  /** Undefined until main.ts resolves or generates it (see encryption-key.ts). */
  readonly encryptionKey: string | undefined;
  readonly database: DatabaseConfig;
  readonly trustProxy: boolean;
  readonly port: number;
  readonly host: string;
  readonly unixSocket: string | undefined;
  readonly unixSocketMode: number | undefined;
  readonly localIpv6Ranges: readonly string[];
  readonly uploadPath: string;
  readonly keysStorage: 'file' | 'database';
  readonly keysPath: string;
  readonly maxmindLicenseKey: string | undefined;
  readonly geoliteDbPath: string;
  readonly geoliteDbUrl: string;
  readonly uiConfigDisabled: boolean;
  readonly tracingEnabled: boolean;
  readonly metricsEnabled: boolean;
  readonly staticApiKey: string | undefined;
  readonly disableRateLimiting: boolean;
  readonly auditLogRetentionDays: number;
  readonly allowInsecureCallbackUrls: boolean;
  readonly versionCheckDisabled: boolean;
  readonly logLevel: string;
  readonly logJson: boolean;
  /** UI settings given as environment variables (used when uiConfigDisabled). */
  readonly settingsFromEnv: Partial<AppSettings>;
}

export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

const secretVariables = [
  'ENCRYPTION_KEY',
  'STATIC_API_KEY',
  'MAXMIND_LICENSE_KEY',
  'SMTP_PASSWORD',
  'LDAP_BIND_PASSWORD',
];

/** Reads `.env` from the working directory the way Pocket ID does: the real environment wins. */
export function readDotEnv(cwd: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(resolve(cwd, '.env'), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** Replaces `NAME_FILE` by the contents of that file for every secret. @throws ConfigError */
function resolveSecretFiles(
  env: Record<string, string | undefined>,
  cwd: string,
): Record<string, string | undefined> {
  const resolved = { ...env };
  for (const name of secretVariables) {
    const file = env[`${name}_FILE`];
    if (!file || env[name]) continue;
    try {
      resolved[name] = readFileSync(isAbsolute(file) ? file : resolve(cwd, file), 'utf8').trim();
    } catch (error) {
      throw new ConfigError(`${name}_FILE`, `cannot be read: ${(error as Error).message}`);
    }
  }
  return resolved;
}

/**
 * Parses Pocket ID's SQLite strings (`file:data/pocket-id.db?_pragma=busy_timeout(2500)`), plain paths and
 * `sqlite://` URLs. @throws ConfigError
 */
function parseDatabase(
  provider: 'sqlite' | 'postgres' | undefined,
  connectionString: string | undefined,
  cwd: string,
): DatabaseConfig {
  const value = connectionString?.trim() || '';
  const looksPostgres = /^postgres(ql)?:\/\//.test(value);
  if (provider === 'postgres' || (provider === undefined && looksPostgres)) {
    if (!looksPostgres) {
      throw new ConfigError('DB_CONNECTION_STRING', 'must be a postgres:// URL when DB_PROVIDER is postgres');
    }
    return { provider: 'postgres', connectionString: value };
  }
  if (looksPostgres)
    throw new ConfigError('DB_PROVIDER', 'is sqlite but DB_CONNECTION_STRING is a postgres:// URL');
  let path = 'data/pocket-id.db';
  let busyTimeoutMs = 2500;
  let journalMode = 'WAL';
  if (value) {
    const [location, query = ''] = value.replace(/^sqlite:\/\//, 'file:').split('?', 2);
    path = location.replace(/^file:/, '');
    if (!path) throw new ConfigError('DB_CONNECTION_STRING', 'has no SQLite file path');
    for (const [key, raw] of new URLSearchParams(query)) {
      const pragma = key === '_pragma' ? /^(\w+)\((.*)\)$/.exec(raw) : null;
      const name = pragma ? pragma[1].toLowerCase() : key.replace(/^_/, '').toLowerCase();
      const setting = pragma ? pragma[2] : raw;
      if (name === 'busy_timeout') busyTimeoutMs = Number(setting) || busyTimeoutMs;
      if (name === 'journal_mode') journalMode = setting.toUpperCase();
    }
  }
  return {
    provider: 'sqlite',
    path: path === ':memory:' ? path : resolve(cwd, path),
    busyTimeoutMs,
    journalMode,
  };
}

/**
 * Parses the environment once. An invalid value throws a ConfigError naming the variable.
 * @throws ConfigError
 */
export function loadConfig(rawEnv: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const env = resolveSecretFiles({ ...readDotEnv(cwd), ...rawEnv }, cwd);
  const known = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0]);
    throw new ConfigError(variable, `${issue.message} (got "${known[variable]}")`);
  }
  const values = parsed.data;

  const settingsFromEnv: Partial<AppSettings> = {};
  for (const key of appSettingKeys) {
    const value = env[settingEnvName(key)];
    if (value === undefined || value === '') continue;
    const validation = appSettingDefinitions[key].validate?.safeParse(value);
    if (validation && !validation.success) {
      throw new ConfigError(settingEnvName(key), `${validation.error.issues[0].message} (got "${value}")`);
    }
    settingsFromEnv[key] = value;
  }

  const dataPath = resolve(cwd, 'data');
  return Object.freeze({
    env: values.APP_ENV,
    appUrl: values.APP_URL,
    internalAppUrl: values.INTERNAL_APP_URL ?? values.APP_URL,
    dataPath,
    encryptionKey: values.ENCRYPTION_KEY,
    database: parseDatabase(values.DB_PROVIDER, values.DB_CONNECTION_STRING, cwd),
    trustProxy: values.TRUST_PROXY,
    port: values.PORT,
    host: values.HOST,
    unixSocket: values.UNIX_SOCKET,
    unixSocketMode: values.UNIX_SOCKET_MODE,
    localIpv6Ranges: values.LOCAL_IPV6_RANGES.split(',')
      .map((range) => range.trim())
      .filter(Boolean),
    uploadPath: resolve(cwd, values.UPLOAD_PATH),
    keysStorage: values.KEYS_STORAGE,
    keysPath: resolve(cwd, values.KEYS_PATH),
    maxmindLicenseKey: values.MAXMIND_LICENSE_KEY,
    geoliteDbPath: resolve(cwd, values.GEOLITE_DB_PATH),
    geoliteDbUrl: values.GEOLITE_DB_URL,
    uiConfigDisabled: values.UI_CONFIG_DISABLED,
    tracingEnabled: values.TRACING_ENABLED,
    metricsEnabled: values.METRICS_ENABLED,
    staticApiKey: values.STATIC_API_KEY,
    disableRateLimiting: values.DISABLE_RATE_LIMITING,
    auditLogRetentionDays: values.AUDIT_LOG_RETENTION_DAYS,
    allowInsecureCallbackUrls: values.ALLOW_INSECURE_CALLBACK_URLS,
    versionCheckDisabled: values.VERSION_CHECK_DISABLED,
    logLevel: values.LOG_LEVEL,
    logJson: values.LOG_JSON,
    settingsFromEnv,
  });
}
