import type { Migration } from 'kysely';
import * as core from './0001-core.ts';
import * as jobs from './0005-jobs.ts';
import * as rateLimits from './0006-rate-limits.ts';
import * as deviceLogin from './0007-device-login.ts';

/** The one migration timeline for both engines, in order. Names never change once released. */
export const migrations: Record<string, Migration> = {
  '0001-core': core,
  '0005-jobs': jobs,
  '0006-rate-limits': rateLimits,
  '0007-device-login': deviceLogin,
};
