import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { AppError, notFound } from '../../http/errors.ts';
import type { ImageStore } from '../../lib/images.ts';
import { ProfilePictureError, profilePictureName, toProfilePicturePng } from '../../lib/profile-pictures.ts';
import { colourOf, initialsOf, renderInitialsPng } from './render.ts';
import { findPictureOwner, type PictureOwner } from './repository.ts';

export type PictureSource = 'custom' | 'default' | 'initials';

export interface ProfilePicture {
  readonly png: Buffer;
  readonly source: PictureSource;
  /** A strong validator of the bytes, for `ETag`. */
  readonly etag: string;
}

const defaultPictureName = 'application-images/default-profile-picture';
const defaultPictureTypes = ['png', 'jpeg', 'webp'] as const;
const generatedCacheSize = 500;

const etagOf = (png: Buffer) => `"${createHash('sha256').update(png).digest('base64url').slice(0, 27)}"`;
// Ids come from the database, but a file name must never be able to leave the folder.
const isSafeFileName = (userId: string) => /^[A-Za-z0-9_-]{1,128}$/.test(userId);

/**
 * Profile pictures (one implementation for the account, admin and public routes): a user's own upload (`profile-pictures/<userId>.png` under UPLOAD_PATH), else the
 * admin-set default picture, else generated initials on a colour derived from the user id.
 */
export function createProfilePictures(deps: { db: Database; images: ImageStore }) {
  const { db, images } = deps;
  const storedName = profilePictureName;
  // Generated pictures depend only on (initials, colour); the converted default only on its source bytes.
  const generated = new Map<string, ProfilePicture>();
  let convertedDefault: { sourceHash: string; picture: ProfilePicture } | undefined;

  /** @throws AppError user_not_found */
  async function loadOwner(userId: string): Promise<PictureOwner> {
    const owner = await findPictureOwner(db, userId);
    if (!owner) throw notFound('user_not_found', 'User not found');
    return owner;
  }

  async function readCustom(userId: string): Promise<ProfilePicture | undefined> {
    if (!isSafeFileName(userId)) return undefined;
    const png = await images.read(storedName(userId), 'png');
    return png && { png, source: 'custom', etag: etagOf(png) };
  }

  async function readDefault(): Promise<ProfilePicture | undefined> {
    for (const type of defaultPictureTypes) {
      const source = await images.read(defaultPictureName, type);
      if (!source) continue;
      const sourceHash = etagOf(source);
      if (convertedDefault?.sourceHash !== sourceHash) {
        try {
          const png = await toProfilePicturePng(source);
          convertedDefault = { sourceHash, picture: { png, source: 'default', etag: etagOf(png) } };
        } catch {
          return undefined; // a broken default falls through to initials
        }
      }
      return convertedDefault.picture;
    }
    return undefined;
  }

  async function renderInitials(owner: PictureOwner): Promise<ProfilePicture> {
    const initials = initialsOf(owner);
    const colour = colourOf(owner.id);
    const key = `${initials}#${colour}`;
    const cached = generated.get(key);
    if (cached) {
      // Refresh its place: the map's order is the eviction order.
      generated.delete(key);
      generated.set(key, cached);
      return cached;
    }
    const png = await renderInitialsPng(initials, colour);
    const picture: ProfilePicture = { png, source: 'initials', etag: etagOf(png) };
    generated.set(key, picture);
    if (generated.size > generatedCacheSize) generated.delete(generated.keys().next().value as string);
    return picture;
  }

  /** Deletes the stored picture of a user (also after the user row is gone). */
  async function removeFilesOf(userId: string): Promise<void> {
    if (isSafeFileName(userId)) await images.remove(storedName(userId), 'png');
  }

  return {
    /** The picture to show for a user. @throws AppError user_not_found */
    async read(userId: string): Promise<ProfilePicture> {
      const owner = await loadOwner(userId);
      return (await readCustom(owner.id)) ?? (await readDefault()) ?? renderInitials(owner);
    },

    /**
     * Converts an upload to a 300×300 PNG and stores it as the user's picture; nothing is stored when it fails.
     * @throws AppError user_not_found, invalid_image
     */
    async replace(userId: string, upload: Buffer): Promise<void> {
      const owner = await loadOwner(userId);
      if (!isSafeFileName(owner.id)) {
        throw new AppError('validation_error', 400, 'This user id cannot hold a profile picture');
      }
      let png: Buffer;
      try {
        png = await toProfilePicturePng(upload);
      } catch (error) {
        if (!(error instanceof ProfilePictureError)) throw error;
        throw new AppError('invalid_image', 400, error.message, { fields: { file: error.message } });
      }
      await images.save(storedName(owner.id), 'png', png);
    },

    /** Goes back to the default or initials picture. @throws AppError user_not_found */
    async reset(userId: string): Promise<void> {
      const owner = await loadOwner(userId);
      await removeFilesOf(owner.id);
    },

    removeFilesOf,
  };
}

export type ProfilePictures = ReturnType<typeof createProfilePictures>;
