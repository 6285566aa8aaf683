import { z } from 'zod';
import type { Config } from '../../config/env.ts';
import type { Guards } from '../../http/auth.ts';
import type { App, HttpModule } from '../../http/server.ts';
import type { ImageStore } from '../../lib/images.ts';
import { version } from '../../version.ts';
import { registerBrandingImages } from './images.ts';
import { type AppSettingsService, publicSettings } from './service.ts';

const publicSettingSchema = z.object({ key: z.string(), type: z.string(), value: z.string() });
const adminSettingSchema = publicSettingSchema.extend({ isPublic: z.boolean() });
const settingValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown())]);

export function createAppConfigModule(deps: {
  settings: AppSettingsService;
  config: Config;
  guards: Guards;
  images: ImageStore;
}): HttpModule {
  const tags = ['Application configuration'];
  return {
    register(app: App) {
      app.get(
        '/api/application-configuration',
        {
          schema: {
            tags,
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
      app.get(
        '/api/version/current',
        {
          preValidation: deps.guards.requireUser,
          schema: {
            tags: ['System'],
            summary: 'The running version (signed-in users and API keys)',
            response: { 200: z.object({ currentVersion: z.string() }) },
          },
        },
        async () => ({ currentVersion: version }),
      );
      app.get(
        '/api/application-configuration/all',
        {
          preValidation: deps.guards.requireAdmin,
          schema: {
            tags,
            summary: 'Every application setting (sensitive values masked)',
            response: { 200: z.array(adminSettingSchema) },
          },
        },
        () => deps.settings.readAll(),
      );
      app.put(
        '/api/application-configuration',
        {
          preValidation: deps.guards.requireAdmin,
          schema: {
            tags,
            summary: 'Update settings; keys left out keep their values, an empty value restores the default',
            body: z.record(z.string(), settingValue),
            response: { 200: z.array(adminSettingSchema) },
          },
        },
        (request) => deps.settings.update(request.body),
      );
      registerBrandingImages(app, { images: deps.images, guards: deps.guards });
    },
  };
}
