import {
  type AppSettingKey,
  type AppSettings,
  appSettingDefinitions,
  appSettingKeys,
  defaultAppSettings,
} from '../../config/app-settings.ts';
import type { Config } from '../../config/env.ts';
import type { Database } from '../../db/database.ts';
import { AppError, badRequest } from '../../http/errors.ts';
import { decrypt, deriveKey, encrypt, isEncrypted } from '../../lib/encryption.ts';
import { listStoredSettings, saveSettings } from './repository.ts';

export interface AppSettingsReader {
  /**
   * The effective settings: defaults, overlaid by the database (or by the environment when UI config is off).
   * Inside a transaction pass it: on SQLite a read on the outer handle would wait for the transaction forever.
   */
  read(db?: Database): Promise<AppSettings>;
}

export interface PublicSetting {
  key: string;
  type: string;
  value: string;
}

export interface AdminSetting extends PublicSetting {
  isPublic: boolean;
}

/** What the admin API shows instead of a sensitive value that is set. Sent back unchanged, it keeps the value. */
export const sensitiveMask = '********';

const isSensitive = (key: AppSettingKey): boolean =>
  (appSettingDefinitions[key] as { sensitive?: boolean }).sensitive === true;

export function createAppSettings(deps: {
  db: Database;
  config: Config;
  encryptionKey?: string;
}): AppSettingsReader & {
  /** Every setting for the admin screen; sensitive values masked. */
  readAll(): Promise<AdminSetting[]>;
  /**
   * Validates and saves the given keys; keys left out keep their values, an empty value resets to the default.
   * @throws AppError ui_config_disabled, validation_error (with a field per bad key)
   */
  update(values: Record<string, unknown>): Promise<AdminSetting[]>;
} {
  const key = deps.encryptionKey ? deriveKey(deps.encryptionKey, 'app-config') : undefined;
  const open = (value: string): string => {
    if (!isEncrypted(value) || !key) return value;
    try {
      return decrypt(value, key);
    } catch {
      return '';
    }
  };

  async function read(db: Database = deps.db): Promise<AppSettings> {
    const settings = defaultAppSettings();
    const overrides = deps.config.uiConfigDisabled
      ? deps.config.settingsFromEnv
      : await listStoredSettings(db);
    for (const [name, value] of Object.entries(overrides)) {
      if (name in settings && value !== undefined && value !== '')
        settings[name as AppSettingKey] = open(value);
    }
    return settings;
  }

  async function readAll(): Promise<AdminSetting[]> {
    const settings = await read();
    return appSettingKeys.map((name) => {
      const definition = appSettingDefinitions[name];
      const value = settings[name];
      return {
        key: name,
        type: definition.type,
        value: isSensitive(name) ? (value === '' ? '' : sensitiveMask) : value,
        isPublic: definition.isPublic,
      };
    });
  }

  return {
    read,
    readAll,
    async update(values) {
      if (deps.config.uiConfigDisabled) {
        throw new AppError(
          'ui_config_disabled',
          403,
          'The application configuration is managed by environment variables (UI_CONFIG_DISABLED=true)',
        );
      }
      const fields: Record<string, string> = {};
      const toSave: Record<string, string> = {};
      for (const [name, raw] of Object.entries(values)) {
        if (!(name in appSettingDefinitions)) continue; // unknown keys are ignored, as upstream's binding does
        const settingKey = name as AppSettingKey;
        if (raw !== null && !['string', 'number', 'boolean'].includes(typeof raw) && !Array.isArray(raw)) {
          fields[name] = 'must be a string';
          continue;
        }
        const value = raw === null ? '' : Array.isArray(raw) ? JSON.stringify(raw) : String(raw);
        if (isSensitive(settingKey) && value === sensitiveMask) continue;
        if (value !== '') {
          const result = appSettingDefinitions[settingKey].validate?.safeParse(value);
          if (result && !result.success) {
            fields[name] = result.error.issues[0]?.message ?? 'is invalid';
            continue;
          }
        }
        toSave[name] = isSensitive(settingKey) && value !== '' && key ? encrypt(value, key) : value;
      }
      if (Object.keys(fields).length > 0) {
        const summary = Object.entries(fields)
          .map(([name, message]) => `${name}: ${message}`)
          .join('; ');
        throw badRequest(`Invalid settings: ${summary}`, fields);
      }
      await saveSettings(deps.db, toSave);
      return readAll();
    },
  };
}

export type AppSettingsService = ReturnType<typeof createAppSettings>;

export function publicSettings(settings: AppSettings): PublicSetting[] {
  return appSettingKeys
    .filter((name) => appSettingDefinitions[name].isPublic)
    .map((name) => ({ key: name, type: appSettingDefinitions[name].type, value: settings[name] }));
}
