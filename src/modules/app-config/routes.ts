import { z } from 'zod';
import type { Config } from '../../config/env.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { type AppSettingsReader, publicSettings } from './service.ts';

const publicSettingSchema = z.object({ key: z.string(), type: z.string(), value: z.string() });

export function createAppConfigModule(deps: { settings: AppSettingsReader; config: Config }): HttpModule {
  return {
    register(app: App) {
      app.get(
        '/api/application-configuration',
        {
          schema: {
            tags: ['Application configuration'],
            summary: 'Public application settings with their effective values',
            response: { 200: z.array(publicSettingSchema) },
          },
        },
        async () => {
          const settings = publicSettings(await deps.settings.read());
          return [
            ...settings,
            { key: 'uiConfigDisabled', type: 'bool', value: String(deps.config.uiConfigDisabled) },
            { key: 'tracingEnabled', type: 'bool', value: String(deps.config.tracingEnabled) },
          ];
        },
      );
    },
  };
}
