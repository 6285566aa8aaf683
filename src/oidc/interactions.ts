import type { Database } from '../db/database.ts';
import type { AuthContext } from '../http/auth.ts';
import { AppError } from '../http/errors.ts';
import type { Clock } from '../lib/clock.ts';
import type { AuditContext, AuditLog } from '../modules/audit/service.ts';
import {
  findClientById,
  findConsentedScopes,
  isUserAllowedForClient,
  type OidcClientRecord,
  saveConsent,
} from './clients-repository.ts';
import { reauthenticationWindowSeconds, supportedScopes } from './provider.ts';

type Untyped = any;

export type InteractionStep = 'authenticate' | 'reauthenticate' | 'select_account' | 'consent';

export interface InteractionDetails {
  readonly id: string;
  readonly scopes: string[];
  readonly scopeInfo: { key: string; name: string; description: string }[];
  readonly client: {
    id: string;
    name: string;
    hasLogo: boolean;
    hasDarkLogo: boolean;
    launchURL: string | null;
    requiresReauthentication: boolean;
  };
  readonly currentStep: InteractionStep;
  readonly requiredSteps: InteractionStep[];
  /** The signed-in account, shown by the select_account step. */
  readonly account: { id: string; name: string; username: string; email: string | null } | null;
}

const scopeDescriptions: Record<string, { name: string; description: string }> = {
  openid: { name: 'Identity', description: 'Know who you are' },
  profile: { name: 'Profile', description: 'See your name, username and profile picture' },
  email: { name: 'Email', description: 'See your email address' },
  groups: { name: 'Groups', description: 'See the groups you belong to' },
  offline_access: { name: 'Offline access', description: 'Stay signed in when you are away' },
};

export interface InteractionsDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly provider: Untyped;
}

function scopesOf(interaction: Untyped): string[] {
  const scope = String(interaction.params?.scope ?? '');
  return [...new Set(scope.split(' ').filter((value) => supportedScopes.includes(value)))];
}

async function loadInteraction(
  deps: InteractionsDeps,
  id: string,
): Promise<{ interaction: Untyped; client: OidcClientRecord }> {
  const interaction = await deps.provider.Interaction.find(id);
  if (!interaction || interaction.result) {
    throw new AppError(
      'interaction_not_found',
      404,
      'This sign-in request has expired or was already completed',
    );
  }
  const client = await findClientById(deps.db, interaction.params.client_id);
  if (!client)
    throw new AppError('client_not_found', 404, 'The application of this sign-in request no longer exists');
  return { interaction, client };
}

/** Whether the user's sign-in is recent enough for this request (prompt=login, max_age, client policy). */
function needsReauthentication(
  interaction: Untyped,
  client: OidcClientRecord,
  auth: AuthContext,
  now: Date,
): boolean {
  if (interaction.prompt.name !== 'login' || !auth.authTime) return false;
  // Whole seconds, as auth_time and max_age are: max_age=0 is met by a sign-in within the same second.
  const age = Math.floor(now.getTime() / 1000) - Math.floor(auth.authTime.getTime() / 1000);
  const reasons: string[] = interaction.prompt.reasons ?? [];
  if (client.requiresReauthentication && age > reauthenticationWindowSeconds) return true;
  if (reasons.includes('login_prompt') && auth.authTime.getTime() / 1000 < interaction.iat) return true;
  const maxAge = Number(interaction.params.max_age);
  return Number.isFinite(maxAge) && interaction.params.max_age !== undefined && age > maxAge;
}

async function needsConsent(
  deps: InteractionsDeps,
  interaction: Untyped,
  client: OidcClientRecord,
  userId: string,
) {
  const prompts = new Set(String(interaction.params.prompt ?? '').split(' '));
  if (prompts.has('consent')) return true;
  if (interaction.prompt.name === 'consent') return true;
  if (client.skipConsent) return false;
  const consented = (await findConsentedScopes(deps.db, userId, client.id)) ?? [];
  return !scopesOf(interaction).every((scope) => consented.includes(scope));
}

async function stepsFor(
  deps: InteractionsDeps,
  interaction: Untyped,
  client: OidcClientRecord,
  auth: AuthContext | null,
  accountChosen = false,
): Promise<{ requiredSteps: InteractionStep[]; currentStep: InteractionStep }> {
  const requiredSteps: InteractionStep[] = [];
  if (interaction.prompt.name === 'select_account' && !accountChosen) {
    requiredSteps.push(auth ? 'select_account' : 'authenticate');
  }
  if (interaction.prompt.name === 'login') {
    const stale = auth !== null && needsReauthentication(interaction, client, auth, deps.clock.now());
    requiredSteps.push(stale ? 'reauthenticate' : 'authenticate');
  }
  if (!auth || (await needsConsent(deps, interaction, client, auth.user.id))) requiredSteps.push('consent');
  const currentStep: InteractionStep = !auth
    ? 'authenticate'
    : requiredSteps[0] === 'reauthenticate' || requiredSteps[0] === 'select_account'
      ? requiredSteps[0]
      : requiredSteps.includes('consent')
        ? 'consent'
        : (requiredSteps[0] ?? 'consent');
  return { requiredSteps, currentStep };
}

export async function describeInteraction(
  deps: InteractionsDeps,
  id: string,
  auth: AuthContext | null,
  options: { accountChosen?: boolean } = {},
): Promise<InteractionDetails> {
  const { interaction, client } = await loadInteraction(deps, id);
  // A signed-in user outside the client's groups learns it at once, not after consenting.
  if (auth && !(await isUserAllowedForClient(deps.db, client.id, auth.user.id))) {
    throw new AppError('access_denied', 403, `You are not allowed to use ${client.name}`);
  }
  const scopes = scopesOf(interaction);
  return {
    id,
    scopes,
    scopeInfo: scopes.map((key) => ({ key, ...(scopeDescriptions[key] ?? { name: key, description: key }) })),
    client: {
      id: client.id,
      name: client.name,
      hasLogo: client.hasLogo,
      hasDarkLogo: client.hasDarkLogo,
      launchURL: client.launchUrl,
      requiresReauthentication: client.requiresReauthentication,
    },
    ...(await stepsFor(deps, interaction, client, auth, options.accountChosen)),
    account: auth
      ? {
          id: auth.user.id,
          name:
            auth.user.displayName ||
            `${auth.user.firstName} ${auth.user.lastName}`.trim() ||
            auth.user.username,
          username: auth.user.username,
          email: auth.user.email,
        }
      : null,
  };
}

/**
 * Completes a step for the signed-in user. Returns the next state, or the URL that hands the browser back to
 * the engine once nothing is left. @throws AppError when the user may not use the client or must sign in again
 */
export async function completeInteraction(
  deps: InteractionsDeps,
  id: string,
  step: InteractionStep,
  auth: AuthContext,
  context: AuditContext,
): Promise<{ interaction: InteractionDetails } | { redirectUrl: string }> {
  const { interaction, client } = await loadInteraction(deps, id);
  const user = auth.user;
  // select_account may pick another account than the engine session's ("use another account").
  const choosesAccount = interaction.prompt.name === 'select_account';
  if (interaction.prompt.name !== 'login' && !choosesAccount && interaction.session?.accountId !== user.id) {
    throw new AppError('forbidden', 403, 'This sign-in request belongs to another account');
  }
  if (!(await isUserAllowedForClient(deps.db, client.id, user.id))) {
    throw new AppError('access_denied', 403, `You are not allowed to use ${client.name}`);
  }
  if (needsReauthentication(interaction, client, auth, deps.clock.now())) {
    throw new AppError('reauthentication_required', 403, 'Sign in again to continue to this application');
  }
  const consentNeeded = await needsConsent(deps, interaction, client, user.id);
  if (consentNeeded && step !== 'consent') {
    return {
      interaction: await describeInteraction(deps, id, auth, { accountChosen: step === 'select_account' }),
    };
  }

  const result: Record<string, unknown> = {};
  if (choosesAccount) result.select_account = {};
  if (interaction.prompt.name === 'login' || choosesAccount) {
    result.login = {
      accountId: user.id,
      ts: Math.floor((auth.authTime ?? deps.clock.now()).getTime() / 1000),
      amr: [...auth.amr],
      remember: true,
    };
  }
  if (consentNeeded) {
    const existing = interaction.grantId ? await deps.provider.Grant.find(interaction.grantId) : undefined;
    const grant =
      existing?.accountId === user.id
        ? existing
        : new deps.provider.Grant({ accountId: user.id, clientId: client.id });
    const scopes = scopesOf(interaction);
    grant.addOIDCScope(scopes.join(' '));
    const details = interaction.prompt.details ?? {};
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [indicator, resourceScopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, (resourceScopes as string[]).join(' '));
    }
    result.consent = { grantId: await grant.save() };
    const { created } = await saveConsent(deps.db, {
      userId: user.id,
      clientId: client.id,
      scopes,
      now: deps.clock.now(),
    });
    const device = interaction.params.user_code !== undefined || interaction.deviceCode !== undefined;
    await deps.audit.record({
      event: device
        ? created
          ? 'NEW_DEVICE_CODE_AUTHORIZATION'
          : 'DEVICE_CODE_AUTHORIZATION'
        : created
          ? 'NEW_CLIENT_AUTHORIZATION'
          : 'CLIENT_AUTHORIZATION',
      userId: user.id,
      ...context,
      data: { clientName: client.name },
    });
  }
  interaction.result = { ...interaction.lastSubmission, ...result };
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  return { redirectUrl: interaction.returnTo };
}

/** The user declined: the client gets `access_denied` at its validated redirect URI. */
export async function abortInteraction(deps: InteractionsDeps, id: string): Promise<{ redirectUrl: string }> {
  const { interaction } = await loadInteraction(deps, id);
  interaction.result = { error: 'access_denied', error_description: 'The user declined the request' };
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  return { redirectUrl: interaction.returnTo };
}
