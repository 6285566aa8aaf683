import { randomCode } from './crypto.ts';

/** The engine's OAuth device-flow user codes use only these letters (oidc-provider's `base-20` charset). */
const engineUserCodeLetters = /^[BCDFGHJKLMNPQRSTVWXZ]+$/;

/**
 * A "sign in with another device" code: `P` and 7 unambiguous letters or digits, always with at least one
 * character the engine's OAuth device codes never contain, so both kinds can be typed into `/device`.
 */
export function generateDeviceLoginCode(): string {
  for (;;) {
    const rest = randomCode(7);
    if (!engineUserCodeLetters.test(rest)) return `P${rest}`;
  }
}

/** Upper-cases and drops spaces and dashes, as people type codes. */
export function normalizeUserCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** True for a (normalised) device-login code; false for OAuth device-flow codes. */
export function isDeviceLoginCode(code: string): boolean {
  return /^P[A-Z2-9]{7}$/.test(code) && !engineUserCodeLetters.test(code.slice(1));
}
