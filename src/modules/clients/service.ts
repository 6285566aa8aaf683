import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/database.ts';
import { AppError, badRequest, conflict, notFound } from '../../http/errors.ts';
import { type ListQuery, toPage } from '../../http/pagination.ts';
import type { Clock } from '../../lib/clock.ts';
import { randomCode, sha256Hex } from '../../lib/crypto.ts';
import { detectImageType, fetchImage, type ImageStore, type ImageType } from '../../lib/images.ts';
import {
  type Client,
  type ClientCredentials,
  type ClientSortColumn,
  countSecretsOfClient,
  deleteClientAndTokens,
  deleteSecret,
  deleteSecretsOfClient,
  findClientById,
  insertClient,
  insertSecret,
  listAllowedGroupsOfClient,
  listClients,
  listSecretsOfClient,
  replaceAllowedGroupsOfClient,
  saveClient,
} from './repository.ts';
import type { ClientCreateInput, ClientDto, ClientUpdateInput } from './schemas.ts';

export const maxSecretsPerClient = 20;
export const maxLogoBytes = 2 * 1024 * 1024;
const logoTypes: readonly ImageType[] = ['png', 'jpeg', 'webp', 'gif', 'svg', 'ico'];
const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** How client secrets are stored: never the plaintext. */
export function hashClientSecret(secret: string): string {
  return `sha256:${sha256Hex(secret)}`;
}

/** Fields of `credentials` left out keep their values; null or "" clears jwks/jwksUri. */
function mergeCredentials(
  current: ClientCredentials,
  input: ClientUpdateInput['credentials'],
): ClientCredentials {
  if (!input) return current;
  return {
    federatedIdentities: input.federatedIdentities ?? current.federatedIdentities,
    jwksUri: input.jwksUri === undefined ? current.jwksUri : input.jwksUri || null,
    jwks: input.jwks === undefined ? current.jwks : input.jwks,
  };
}

type ClaimSet = Record<string, unknown>;

/**
 * Computes the claims a client would receive for a user (handed in by the composition root from the OIDC
 * engine); resolves undefined when the user does not exist or is disabled.
 */
export type PreviewTokens = (request: {
  clientId: string;
  userId: string;
  scopes: readonly string[];
  accessTokenDurationMinutes: number;
}) => Promise<{ idToken: ClaimSet; accessToken: ClaimSet; userInfo: ClaimSet } | undefined>;

export function createClientsAdmin(deps: {
  db: Database;
  clock: Clock;
  images: ImageStore;
  /** Told after a client's metadata, groups or existence changed (the OIDC engine caches clients). */
  onClientChanged?: (clientId: string) => void;
  previewTokens: PreviewTokens;
}) {
  const { db, clock, images } = deps;
  const changed = (id: string) => deps.onClientChanged?.(id);
  const logoName = (clientId: string, dark: boolean) =>
    `oidc-client-images/${Buffer.from(clientId).toString('base64url')}${dark ? '-dark' : ''}`;

  function toDto(client: Client, allowedUserGroupsCount: number): ClientDto {
    return {
      id: client.id,
      name: client.name,
      description: client.description,
      callbackURLs: client.callbackURLs,
      logoutCallbackURLs: client.logoutCallbackURLs,
      backChannelLogoutUrl: client.backChannelLogoutUrl,
      isPublic: client.isPublic,
      pkceEnabled: client.pkceEnabled,
      requiresReauthentication: client.requiresReauthentication,
      skipConsent: client.skipConsent,
      isGroupRestricted: client.isGroupRestricted,
      launchURL: client.launchURL,
      hasLogo: client.imageType !== null,
      hasDarkLogo: client.darkImageType !== null,
      credentials: client.credentials,
      accessTokenDurationMinutes: client.accessTokenDurationMinutes,
      refreshTokenDurationMinutes: client.refreshTokenDurationMinutes,
      createdAt: client.createdAt,
      allowedUserGroupsCount,
    };
  }

  /** @throws AppError client_not_found */
  async function load(id: string): Promise<Client> {
    const client = await findClientById(db, id);
    if (!client) throw notFound('client_not_found', 'OIDC client not found');
    return client;
  }

  async function get(id: string) {
    const client = await load(id);
    const allowedUserGroups = await listAllowedGroupsOfClient(db, id);
    return { ...toDto(client, allowedUserGroups.length), allowedUserGroups };
  }

  /** Stores a logo given as bytes. @throws AppError invalid_image */
  async function storeLogo(client: Client, dark: boolean, data: Uint8Array): Promise<ImageType> {
    if (data.byteLength > maxLogoBytes) {
      throw new AppError('invalid_image', 400, 'The logo must be at most 2 MiB', {
        fields: { file: 'too large' },
      });
    }
    const type = detectImageType(data);
    if (!type || !logoTypes.includes(type)) {
      throw new AppError('invalid_image', 400, 'The logo must be a PNG, JPEG, WebP, GIF, SVG or ICO image', {
        fields: { file: 'unsupported image type' },
      });
    }
    const previous = dark ? client.darkImageType : client.imageType;
    if (previous && previous !== type) await images.remove(logoName(client.id, dark), previous);
    await images.save(logoName(client.id, dark), type, data);
    return type;
  }

  /** @throws AppError invalid_image naming the URL field */
  async function downloadLogo(url: string, field: string): Promise<Uint8Array> {
    try {
      return (await fetchImage(url, maxLogoBytes)).data;
    } catch (error) {
      throw new AppError(
        'invalid_image',
        400,
        `Could not fetch the logo from ${field}: ${(error as Error).message}`,
        {
          fields: { [field]: (error as Error).message },
        },
      );
    }
  }

  /** Checks fields that depend on each other. @throws AppError validation_error */
  function checkConsistency(client: Client): void {
    if (client.isPublic && !client.pkceEnabled) client.pkceEnabled = true;
  }

  return {
    get,

    async list(query: ListQuery<ClientSortColumn>) {
      const { clients, totalItems } = await listClients(db, query);
      return toPage(
        clients.map((client) => toDto(client, client.allowedUserGroupsCount)),
        totalItems,
        query,
      );
    },

    /** @throws AppError validation_error, conflict (id taken), invalid_image */
    async create(input: ClientCreateInput, createdById: string | null) {
      const now = clock.now().toISOString();
      const client: Client = {
        id: input.id ?? randomUUID(),
        name: input.name,
        description: input.description ?? '',
        callbackURLs: input.callbackURLs ?? [],
        logoutCallbackURLs: input.logoutCallbackURLs ?? [],
        backChannelLogoutUrl: input.backChannelLogoutUrl || null,
        isPublic: input.isPublic ?? false,
        pkceEnabled: input.pkceEnabled ?? false,
        requiresReauthentication: input.requiresReauthentication ?? false,
        skipConsent: input.skipConsent ?? false,
        isGroupRestricted: input.isGroupRestricted ?? false,
        launchURL: input.launchURL || null,
        imageType: null,
        darkImageType: null,
        credentials: mergeCredentials(
          { federatedIdentities: [], jwksUri: null, jwks: null },
          input.credentials,
        ),
        accessTokenDurationMinutes: input.accessTokenDurationMinutes ?? 60,
        refreshTokenDurationMinutes: input.refreshTokenDurationMinutes ?? 43_200,
        createdAt: now,
        createdById,
      };
      checkConsistency(client);
      // Fetch logos before writing anything, so a failed download leaves no half-created client.
      const logo = input.logoUrl ? await downloadLogo(input.logoUrl, 'logoUrl') : undefined;
      const darkLogo = input.darkLogoUrl ? await downloadLogo(input.darkLogoUrl, 'darkLogoUrl') : undefined;
      try {
        await insertClient(db, client);
        changed(client.id);
      } catch (error) {
        if (isUniqueViolation(error))
          throw conflict('conflict', `A client with the id "${client.id}" already exists`);
        throw error;
      }
      if (logo) client.imageType = await storeLogo(client, false, logo);
      if (darkLogo) client.darkImageType = await storeLogo(client, true, darkLogo);
      if (logo || darkLogo) await saveClient(db, client, now);
      return get(client.id);
    },

    /** @throws AppError client_not_found, validation_error, invalid_image */
    async update(id: string, input: ClientUpdateInput) {
      const client = await load(id);
      const logo = input.logoUrl ? await downloadLogo(input.logoUrl, 'logoUrl') : undefined;
      const darkLogo = input.darkLogoUrl ? await downloadLogo(input.darkLogoUrl, 'darkLogoUrl') : undefined;
      const next: Client = {
        ...client,
        name: input.name ?? client.name,
        description: input.description ?? client.description,
        callbackURLs: input.callbackURLs ?? client.callbackURLs,
        logoutCallbackURLs: input.logoutCallbackURLs ?? client.logoutCallbackURLs,
        backChannelLogoutUrl:
          input.backChannelLogoutUrl === undefined
            ? client.backChannelLogoutUrl
            : input.backChannelLogoutUrl || null,
        isPublic: input.isPublic ?? client.isPublic,
        pkceEnabled: input.pkceEnabled ?? client.pkceEnabled,
        requiresReauthentication: input.requiresReauthentication ?? client.requiresReauthentication,
        skipConsent: input.skipConsent ?? client.skipConsent,
        isGroupRestricted: input.isGroupRestricted ?? client.isGroupRestricted,
        launchURL: input.launchURL === undefined ? client.launchURL : input.launchURL || null,
        credentials: mergeCredentials(client.credentials, input.credentials),
        accessTokenDurationMinutes: input.accessTokenDurationMinutes ?? client.accessTokenDurationMinutes,
        refreshTokenDurationMinutes: input.refreshTokenDurationMinutes ?? client.refreshTokenDurationMinutes,
      };
      checkConsistency(next);
      if (logo) next.imageType = await storeLogo(next, false, logo);
      if (darkLogo) next.darkImageType = await storeLogo(next, true, darkLogo);
      // `hasLogo: false` from a form removes the stored logo, as upstream's edit form does.
      if (input.hasLogo === false && !logo && next.imageType) {
        await images.remove(logoName(id, false), next.imageType);
        next.imageType = null;
      }
      if (input.hasDarkLogo === false && !darkLogo && next.darkImageType) {
        await images.remove(logoName(id, true), next.darkImageType);
        next.darkImageType = null;
      }
      await saveClient(db, next, clock.now().toISOString());
      if (next.isPublic && !client.isPublic) await deleteSecretsOfClient(db, id);
      changed(id);
      return get(id);
    },

    /** Deletes the client, its tokens and consents. @throws AppError client_not_found */
    async remove(id: string) {
      const client = await load(id);
      await deleteClientAndTokens(db, id);
      changed(id);
      if (client.imageType) await images.remove(logoName(id, false), client.imageType);
      if (client.darkImageType) await images.remove(logoName(id, true), client.darkImageType);
    },

    /** @throws AppError client_not_found, validation_error */
    async replaceAllowedGroups(id: string, groupIds: string[]) {
      await load(id);
      const missing = await replaceAllowedGroupsOfClient(db, id, groupIds);
      changed(id);
      if (missing.length > 0) {
        throw badRequest(`Unknown user group: ${missing[0]}`, {
          userGroupIds: `contains an unknown id (${missing[0]})`,
        });
      }
      return get(id);
    },

    /** @throws AppError client_not_found, user_not_found */
    async preview(id: string, userId: string, scopes: readonly string[]) {
      const client = await load(id);
      const preview = await deps.previewTokens({
        clientId: client.id,
        userId,
        scopes,
        accessTokenDurationMinutes: client.accessTokenDurationMinutes,
      });
      if (!preview) throw notFound('user_not_found', 'User not found, or disabled');
      return preview;
    },

    async meta(id: string) {
      const client = await load(id);
      return {
        id: client.id,
        name: client.name,
        description: client.description,
        hasLogo: client.imageType !== null,
        hasDarkLogo: client.darkImageType !== null,
        launchURL: client.launchURL,
        requiresReauthentication: client.requiresReauthentication,
        clientType: 'standard',
      };
    },

    // Secrets ----------------------------------------------------------------------------------------------

    async listSecrets(id: string) {
      await load(id);
      const now = clock.now().toISOString();
      return (await listSecretsOfClient(db, id)).map((row) => ({
        id: row.id,
        prefix: row.prefix,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        isActive: row.expires_at === null || row.expires_at > now,
      }));
    },

    /** Creates a secret and returns its plaintext, once. @throws AppError public_client_secret, too_many_secrets */
    async createSecret(id: string, input: { secret?: string; expiresAt?: string | null } = {}) {
      const client = await load(id);
      if (client.isPublic) {
        throw new AppError('public_client_secret', 400, 'Public clients cannot have client secrets');
      }
      if ((await countSecretsOfClient(db, id)) >= maxSecretsPerClient) {
        throw new AppError(
          'too_many_secrets',
          400,
          `A client can have at most ${maxSecretsPerClient} secrets`,
        );
      }
      const now = clock.now();
      let expiresAt: string | null = null;
      if (input.expiresAt) {
        const date = new Date(input.expiresAt);
        if (date.getTime() <= now.getTime()) {
          throw badRequest('The expiry date must be in the future', { expiresAt: 'must be in the future' });
        }
        expiresAt = date.toISOString();
      }
      const secret = input.secret ?? randomCode(32, alphanumeric);
      const row = {
        id: randomUUID(),
        client_id: id,
        hash: hashClientSecret(secret),
        prefix: secret.slice(0, 4),
        created_at: now.toISOString(),
        expires_at: expiresAt,
      };
      await insertSecret(db, row);
      changed(id);
      return { id: row.id, prefix: row.prefix, createdAt: row.created_at, expiresAt, isActive: true, secret };
    },

    /** @throws AppError client_not_found, not_found */
    async deleteSecret(id: string, secretId: string) {
      await load(id);
      if (!(await deleteSecret(db, id, secretId))) throw notFound('not_found', 'Client secret not found');
      changed(id);
    },

    // Logos ------------------------------------------------------------------------------------------------

    /** @throws AppError client_not_found, image_not_found */
    async readLogo(id: string, dark: boolean) {
      const client = await load(id);
      const type = dark ? (client.darkImageType ?? client.imageType) : client.imageType;
      const useDark = dark && client.darkImageType !== null;
      const data = type ? await images.read(logoName(id, useDark), type) : undefined;
      if (!type || !data) throw notFound('image_not_found', 'This client has no logo');
      return { type: type as ImageType, data };
    },

    /** @throws AppError client_not_found, invalid_image */
    async uploadLogo(id: string, dark: boolean, data: Uint8Array) {
      const client = await load(id);
      const type = await storeLogo(client, dark, data);
      if (dark) client.darkImageType = type;
      else client.imageType = type;
      await saveClient(db, client, clock.now().toISOString());
    },

    /** @throws AppError client_not_found */
    async deleteLogo(id: string, dark: boolean) {
      const client = await load(id);
      const type = dark ? client.darkImageType : client.imageType;
      if (type) await images.remove(logoName(id, dark), type);
      if (dark) client.darkImageType = null;
      else client.imageType = null;
      await saveClient(db, client, clock.now().toISOString());
    },
  };
}

export type ClientsAdmin = ReturnType<typeof createClientsAdmin>;
