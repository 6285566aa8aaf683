import { randomUUID } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { AppSettings } from '../../config/app-settings.ts';
import type { Database } from '../../db/database.ts';
import { parseJson, toBool } from '../../db/database.ts';
import type { WebauthnChallengesTable, WebauthnCredentialsTable } from '../../db/types.ts';
import { AppError } from '../../http/errors.ts';
import { addSeconds, type Clock } from '../../lib/clock.ts';
import { findUserById, type User } from '../users/repository.ts';
import { passkeyNameOf } from './aaguid-names.ts';
import {
  consumeChallenge,
  findCredentialByCredentialId,
  insertChallenge,
  insertCredential,
  listCredentialsOfUser,
  recordCredentialUse,
} from './repository.ts';
import type { AuthenticationResponseBody, RegistrationResponseBody } from './schemas.ts';

// The WebAuthn library loads on the first ceremony, off the startup path and out of idle memory.
let webauthn: Promise<typeof import('@simplewebauthn/server')> | undefined;
const loadWebauthn = () => {
  webauthn ??= import('@simplewebauthn/server');
  return webauthn;
};

export const challengeLifetimeSeconds = 60;
/** EdDSA, ES256, RS256: what platform authenticators, security keys and password managers use. */
const supportedAlgorithmIDs = [-8, -7, -257];

export type Ceremony = 'registration' | 'authentication';

export interface RelyingParty {
  readonly rpId: string;
  readonly origin: string;
}

/** RP ID = host name of APP_URL (no port), origin = APP_URL. */
export function relyingPartyOf(appUrl: string): RelyingParty {
  const url = new URL(appUrl);
  return { rpId: url.hostname, origin: url.origin };
}

const challengeInvalid = () =>
  new AppError('challenge_invalid', 400, 'The passkey prompt expired or was already used. Start again.');

const verificationFailed = (reason: string, cause?: unknown) =>
  new AppError('passkey_verification_failed', 400, `The passkey response was refused: ${reason}`, { cause });

export interface CeremonyDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly relyingParty: RelyingParty;
  readonly readSettings: (db?: Database) => Promise<AppSettings>;
}

/** The WebAuthn ceremonies: options with a stored challenge, then verification that consumes it. */
export function createCeremonies(deps: CeremonyDeps) {
  const { relyingParty } = deps;

  async function storeChallenge(
    ceremony: Ceremony,
    challenge: string,
    userVerification: string,
    userId: string | null,
  ): Promise<string> {
    const now = deps.clock.now();
    const id = randomUUID();
    await insertChallenge(deps.db, {
      id,
      challenge,
      ceremony,
      user_id: userId,
      user_verification: userVerification,
      data: '{}',
      created_at: now.toISOString(),
      expires_at: addSeconds(now, challengeLifetimeSeconds).toISOString(),
    });
    return id;
  }

  /**
   * Deletes the challenge in its own statement, before any verification, and checks it is live and of this
   * ceremony. A response that then fails verification cannot be retried against the same challenge: the
   * deletion is not part of the verifying transaction, so its rollback does not bring the challenge back.
   * @throws AppError challenge_invalid
   */
  async function takeChallenge(
    challengeId: string | undefined,
    ceremony: Ceremony,
  ): Promise<WebauthnChallengesTable> {
    if (!challengeId) throw challengeInvalid();
    const challenge = await consumeChallenge(deps.db, challengeId, ceremony);
    if (!challenge || challenge.expires_at <= deps.clock.now().toISOString()) throw challengeInvalid();
    return challenge;
  }

  return {
    takeChallenge,

    async startRegistration(
      user: User,
    ): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; challengeId: string }> {
      const settings = await deps.readSettings();
      const userVerification = settings.webauthnUserVerification === 'preferred' ? 'preferred' : 'required';
      const attachment = settings.webauthnAuthenticatorAttachment;
      const existing = await listCredentialsOfUser(deps.db, user.id);
      const { generateRegistrationOptions } = await loadWebauthn();
      const options = await generateRegistrationOptions({
        rpName: settings.appName,
        rpID: relyingParty.rpId,
        userID: new TextEncoder().encode(user.id),
        userName: user.username,
        userDisplayName: user.displayName || `${user.firstName} ${user.lastName}`.trim() || user.username,
        timeout: challengeLifetimeSeconds * 1000,
        attestationType: 'none',
        excludeCredentials: existing.map((credential) => ({
          id: credential.credential_id,
          transports: parseJson<string[]>(credential.transports, []),
        })),
        authenticatorSelection: {
          residentKey: 'required',
          requireResidentKey: true,
          userVerification,
          ...(attachment === 'platform' || attachment === 'cross-platform'
            ? { authenticatorAttachment: attachment }
            : {}),
        },
        supportedAlgorithmIDs,
      });
      const challengeId = await storeChallenge('registration', options.challenge, userVerification, user.id);
      return { options, challengeId };
    },

    /**
     * Verifies a registration response against a challenge from `takeChallenge` and stores the new passkey,
     * inside `trx`. @throws AppError challenge_invalid | passkey_verification_failed
     */
    async finishRegistration(
      trx: Database,
      user: User,
      challenge: WebauthnChallengesTable,
      response: RegistrationResponseBody,
    ): Promise<WebauthnCredentialsTable> {
      if (challenge.user_id !== user.id) throw challengeInvalid();
      const settings = await deps.readSettings(trx);
      const { verifyRegistrationResponse } = await loadWebauthn();
      let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        verification = await verifyRegistrationResponse({
          response: response as RegistrationResponseJSON,
          expectedChallenge: challenge.challenge,
          expectedOrigin: relyingParty.origin,
          expectedRPID: relyingParty.rpId,
          requireUserVerification: challenge.user_verification === 'required',
          supportedAlgorithmIDs,
        });
      } catch (error) {
        throw verificationFailed((error as Error).message, error);
      }
      if (!verification.verified) throw verificationFailed('it could not be verified');
      const info = verification.registrationInfo;
      if (settings.webauthnAllowSyncedPasskeys === 'false' && info.credentialDeviceType === 'multiDevice') {
        throw verificationFailed('synced passkeys are not allowed here; use a device-bound passkey');
      }
      if (await findCredentialByCredentialId(trx, info.credential.id)) {
        throw verificationFailed('this passkey is already registered');
      }
      const row: WebauthnCredentialsTable = {
        id: randomUUID(),
        created_at: deps.clock.now().toISOString(),
        name: passkeyNameOf(info.aaguid),
        credential_id: info.credential.id,
        public_key: info.credential.publicKey,
        counter: info.credential.counter,
        aaguid: info.aaguid,
        attestation_type: info.fmt,
        transports: JSON.stringify(info.credential.transports ?? response.response.transports ?? []),
        backup_eligible: info.credentialDeviceType === 'multiDevice',
        backup_state: info.credentialBackedUp,
        last_used_at: null,
        user_id: user.id,
      };
      await insertCredential(trx, row);
      return row;
    },

    async startAuthentication(): Promise<{
      options: PublicKeyCredentialRequestOptionsJSON;
      challengeId: string;
    }> {
      const settings = await deps.readSettings();
      const userVerification = settings.webauthnUserVerification === 'preferred' ? 'preferred' : 'required';
      // No allowCredentials: discoverable credentials let the authenticator pick the account.
      const { generateAuthenticationOptions } = await loadWebauthn();
      const options = await generateAuthenticationOptions({
        rpID: relyingParty.rpId,
        timeout: challengeLifetimeSeconds * 1000,
        userVerification,
      });
      const challengeId = await storeChallenge('authentication', options.challenge, userVerification, null);
      return { options, challengeId };
    },

    /**
     * Verifies an assertion against a challenge from `takeChallenge`, inside `trx`: finds the passkey, checks
     * the signature, origin, RP ID and user verification, and moves the signature counter.
     * @throws AppError unknown_passkey | passkey_verification_failed
     */
    async verifyAssertion(
      trx: Database,
      challenge: WebauthnChallengesTable,
      response: AuthenticationResponseBody,
    ): Promise<{ credential: WebauthnCredentialsTable; user: User }> {
      const credential = await findCredentialByCredentialId(trx, response.id);
      if (!credential) {
        throw new AppError('unknown_passkey', 404, 'This passkey is not registered here');
      }
      const settings = await deps.readSettings(trx);
      const { verifyAuthenticationResponse } = await loadWebauthn();
      let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        verification = await verifyAuthenticationResponse({
          response: response as AuthenticationResponseJSON,
          expectedChallenge: challenge.challenge,
          expectedOrigin: relyingParty.origin,
          expectedRPID: relyingParty.rpId,
          requireUserVerification: challenge.user_verification === 'required',
          credential: {
            id: credential.credential_id,
            publicKey: new Uint8Array(credential.public_key),
            counter: Number(credential.counter),
            transports: parseJson<string[]>(credential.transports, []),
          },
        });
      } catch (error) {
        throw verificationFailed((error as Error).message, error);
      }
      if (!verification.verified) throw verificationFailed('the signature does not match');
      if (settings.webauthnAllowSyncedPasskeys === 'false' && toBool(credential.backup_eligible)) {
        throw verificationFailed('synced passkeys are not allowed here');
      }
      const moved = await recordCredentialUse(trx, credential.id, {
        previousCounter: Number(credential.counter),
        counter: verification.authenticationInfo.newCounter,
        backupState: verification.authenticationInfo.credentialBackedUp,
        usedAt: deps.clock.now().toISOString(),
      });
      if (!moved) throw verificationFailed('the passkey was used concurrently');
      const user = await findUserById(trx, credential.user_id);
      if (!user) throw new AppError('unknown_passkey', 404, 'This passkey is not registered here');
      return { credential, user };
    },
  };
}

export type Ceremonies = ReturnType<typeof createCeremonies>;
