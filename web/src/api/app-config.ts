import { useQuery } from '@tanstack/react-query';
import { apiGet } from './client';

/** One row of `GET /api/application-configuration`; values are always strings. */
export interface AppConfigEntry {
  key: string;
  type: string;
  value: string;
}

export type UserSignups = 'disabled' | 'withToken' | 'open';

export interface AppConfig {
  appName: string;
  /** `default`, or any CSS colour. */
  accentColor: string;
  disableAnimations: boolean;
  allowOwnAccountEdit: boolean;
  allowUserSignups: UserSignups;
  homePageUrl: string;
  /** Session lifetime in minutes. */
  sessionDuration: number;
  emailsVerified: boolean;
  requireUserEmail: boolean;
  emailOneTimeAccessAsUnauthenticatedEnabled: boolean;
  emailOneTimeAccessAsAdminEnabled: boolean;
  emailLoginNotificationEnabled: boolean;
  /** Every entry as sent, for settings this view does not name yet. */
  entries: Readonly<Record<string, string>>;
}

/** Used until the configuration has loaded, and if it cannot be loaded at all. */
export const defaultAppConfig: AppConfig = {
  appName: 'Latch',
  accentColor: 'default',
  disableAnimations: false,
  allowOwnAccountEdit: true,
  allowUserSignups: 'disabled',
  homePageUrl: '/settings/account',
  sessionDuration: 60,
  emailsVerified: false,
  requireUserEmail: true,
  emailOneTimeAccessAsUnauthenticatedEnabled: false,
  emailOneTimeAccessAsAdminEnabled: false,
  emailLoginNotificationEnabled: false,
  entries: {},
};

/** Invalidate this after changing the configuration so every screen picks it up. */
export const appConfigQueryKey = ['application-configuration'] as const;

export function parseAppConfig(list: readonly AppConfigEntry[]): AppConfig {
  const entries = Object.fromEntries(list.map(({ key, value }) => [key, value]));
  const text = (key: keyof AppConfig & string, fallback: string) => entries[key] || fallback;
  const flag = (key: keyof AppConfig & string, fallback: boolean) =>
    entries[key] === undefined ? fallback : entries[key] === 'true';
  const defaults = defaultAppConfig;

  return {
    appName: text('appName', defaults.appName),
    accentColor: text('accentColor', defaults.accentColor),
    disableAnimations: flag('disableAnimations', defaults.disableAnimations),
    allowOwnAccountEdit: flag('allowOwnAccountEdit', defaults.allowOwnAccountEdit),
    allowUserSignups: parseUserSignups(entries.allowUserSignups),
    homePageUrl: text('homePageUrl', defaults.homePageUrl),
    sessionDuration: Number.parseInt(entries.sessionDuration ?? '', 10) || defaults.sessionDuration,
    emailsVerified: flag('emailsVerified', defaults.emailsVerified),
    requireUserEmail: flag('requireUserEmail', defaults.requireUserEmail),
    emailOneTimeAccessAsUnauthenticatedEnabled: flag(
      'emailOneTimeAccessAsUnauthenticatedEnabled',
      defaults.emailOneTimeAccessAsUnauthenticatedEnabled,
    ),
    emailOneTimeAccessAsAdminEnabled: flag(
      'emailOneTimeAccessAsAdminEnabled',
      defaults.emailOneTimeAccessAsAdminEnabled,
    ),
    emailLoginNotificationEnabled: flag(
      'emailLoginNotificationEnabled',
      defaults.emailLoginNotificationEnabled,
    ),
    entries,
  };
}

function parseUserSignups(value: string | undefined): UserSignups {
  return value === 'withToken' || value === 'open' ? value : 'disabled';
}

async function fetchAppConfig(): Promise<AppConfig> {
  const list = await apiGet<AppConfigEntry[]>('/api/application-configuration');
  return parseAppConfig(list);
}

/**
 * The public application configuration. `config` is always usable: it holds
 * the defaults while loading and when the server cannot be reached.
 */
export function useAppConfig() {
  const query = useQuery({
    queryKey: appConfigQueryKey,
    queryFn: fetchAppConfig,
    staleTime: 5 * 60_000,
    // The defaults are good enough to render with, so a failure should not hold up the first paint.
    retry: false,
    // A refetch without data puts the query back to pending, which would unmount the app and loop.
    retryOnMount: false,
  });
  return {
    config: query.data ?? defaultAppConfig,
    isPending: query.isPending,
    error: query.error,
  };
}
