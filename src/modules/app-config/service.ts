import {
  type AppSettingKey,
  type AppSettings,
  appSettingDefinitions,
  appSettingKeys,
  defaultAppSettings,
} from '../../config/app-settings.ts';
import type { Config } from '../../config/env.ts';
import type { Database } from '../../db/database.ts';
import { listStoredSettings } from './repository.ts';

export interface AppSettingsReader {
  /** The effective settings: defaults, overlaid by the database (or by the environment when UI config is off). */
  read(): Promise<AppSettings>;
}

export interface PublicSetting {
  key: string;
  type: string;
  value: string;
}

export function createAppSettings(deps: { db: Database; config: Config }): AppSettingsReader {
  return {
    async read() {
      const settings = defaultAppSettings();
      const overrides = deps.config.uiConfigDisabled
        ? deps.config.settingsFromEnv
        : await listStoredSettings(deps.db);
      for (const [key, value] of Object.entries(overrides)) {
        if (key in settings && value !== undefined && value !== '') settings[key as AppSettingKey] = value;
      }
      return settings;
    },
  };
}

export function publicSettings(settings: AppSettings): PublicSetting[] {
  return appSettingKeys
    .filter((key) => appSettingDefinitions[key].isPublic)
    .map((key) => ({ key, type: appSettingDefinitions[key].type, value: settings[key] }));
}
