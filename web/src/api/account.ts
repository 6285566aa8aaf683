import {
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import { useQuery } from '@tanstack/react-query';
import { ApiError, apiGet, apiPost } from './client';

/** The signed-in user (`GET /api/users/me`). */
export interface CurrentUser {
  id: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  displayName: string;
  isAdmin: boolean;
  locale: string | null;
  ldapId: string | null;
  disabled: boolean;
}

export interface Passkey {
  id: string;
  name: string;
  credentialID: string;
  backupEligible: boolean;
  backupState: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export const currentUserQueryKey = ['users', 'me'] as const;
export const passkeysQueryKey = ['webauthn', 'credentials'] as const;

/** `user` is null when signed out; other failures surface as `error`. */
export function useCurrentUser() {
  const query = useQuery({
    queryKey: currentUserQueryKey,
    queryFn: async () => {
      try {
        return await apiGet<CurrentUser>('/api/users/me');
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
  return { user: query.data, isPending: query.isPending, error: query.error };
}

/** Why a passkey prompt failed, in words the page shows. */
export type PasskeyFailure = 'cancelled' | 'timeout' | 'unknown_passkey' | 'unsupported' | 'server';

export class PasskeyError extends Error {
  readonly failure: PasskeyFailure;

  constructor(failure: PasskeyFailure, message: string) {
    super(message);
    this.name = 'PasskeyError';
    this.failure = failure;
  }
}

function browserFailure(error: unknown, startedAt: number, timeoutMs: number): never {
  const name = (error as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') {
    // Browsers report a cancelled prompt and an expired one the same way; the elapsed time tells them apart.
    const timedOut = Date.now() - startedAt >= timeoutMs - 1000;
    throw new PasskeyError(timedOut ? 'timeout' : 'cancelled', String((error as Error).message));
  }
  if (name === 'NotSupportedError' || name === 'SecurityError') {
    throw new PasskeyError('unsupported', String((error as Error).message));
  }
  throw new PasskeyError('server', String((error as Error)?.message ?? error));
}

function serverFailure(error: unknown): never {
  if (error instanceof ApiError && error.code === 'unknown_passkey') {
    throw new PasskeyError('unknown_passkey', error.message);
  }
  throw error;
}

/** Asks the authenticator for an assertion for `login/start`'s options. `autofill` = conditional mediation. */
async function getAssertion(autofill = false) {
  const optionsJSON = await apiGet<PublicKeyCredentialRequestOptionsJSON>('/api/webauthn/login/start');
  const startedAt = Date.now();
  try {
    return await startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
  } catch (error) {
    if (autofill && (error as { name?: string })?.name === 'AbortError') throw error;
    return browserFailure(error, startedAt, optionsJSON.timeout ?? 60_000);
  }
}

/** @throws PasskeyError or ApiError */
export async function signInWithPasskey(autofill = false): Promise<CurrentUser> {
  const assertion = await getAssertion(autofill);
  return apiPost<CurrentUser>('/api/webauthn/login/finish', { body: assertion }).catch(serverFailure);
}

/** @throws PasskeyError or ApiError */
export async function registerPasskey(): Promise<Passkey> {
  const optionsJSON = await apiGet<PublicKeyCredentialCreationOptionsJSON>('/api/webauthn/register/start');
  const startedAt = Date.now();
  let response: Awaited<ReturnType<typeof startRegistration>>;
  try {
    response = await startRegistration({ optionsJSON });
  } catch (error) {
    return browserFailure(error, startedAt, optionsJSON.timeout ?? 60_000);
  }
  return apiPost<Passkey>('/api/webauthn/register/finish', { body: response });
}

/** A fresh passkey assertion, for sensitive actions. @throws PasskeyError or ApiError */
export async function reauthenticate(): Promise<void> {
  const assertion = await getAssertion();
  await apiPost('/api/webauthn/reauthenticate', { body: assertion }).catch(serverFailure);
}

export async function signOut(): Promise<void> {
  await apiPost('/api/webauthn/logout');
}
