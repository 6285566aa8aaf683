import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Guards } from '../../http/auth.ts';
import type { App, HttpModule } from '../../http/server.ts';
import { readUploadedFile } from '../../http/uploads.ts';
import { maxProfilePictureBytes } from '../../lib/profile-pictures.ts';
import type { ProfilePictures } from './service.ts';

const params = z.object({ id: z.string().min(1).max(128) });
const noContent = { 204: z.null() };
const uploadSummary = 'multipart `file`: PNG, JPEG or WebP, at most 2 MiB; stored as a 300×300 PNG';

/** Cache lifetimes: an upload changes the ETag (and the UI adds `?v=`), generated pictures follow name changes. */
const cacheControl = {
  custom: 'public, max-age=900',
  default: 'public, max-age=300',
  initials: 'public, max-age=300',
} as const;

/**
 * `GET /api/users/:id/profile-picture.png` and the signed-in user's `PUT/DELETE /api/users/me/profile-picture`.
 * The admin variants live in the users module and call the same service.
 */
export function createProfilePicturesModule(deps: { pictures: ProfilePictures; guards: Guards }): HttpModule {
  const { pictures, guards } = deps;
  const tags = ['Profile pictures'];

  return {
    register(app: App) {
      app.get(
        '/api/users/:id/profile-picture.png',
        {
          schema: {
            tags,
            summary: "A user's picture: their upload, else the default picture, else their initials",
            params,
          },
        },
        async (request, reply) => {
          const picture = await pictures.read(request.params.id);
          reply
            .header('etag', picture.etag)
            .header('cache-control', cacheControl[picture.source])
            .header('x-content-type-options', 'nosniff');
          if (request.headers['if-none-match'] === picture.etag) return reply.code(304).send();
          return reply.type('image/png').send(picture.png);
        },
      );

      const replace = async (request: FastifyRequest, reply: FastifyReply, userId: string) => {
        const upload = await readUploadedFile(request, maxProfilePictureBytes);
        await pictures.replace(userId, upload);
        return reply.code(204).send(null);
      };
      const reset = async (reply: FastifyReply, userId: string) => {
        await pictures.reset(userId);
        return reply.code(204).send(null);
      };
      const uploadSchema = { tags, consumes: ['multipart/form-data'], response: noContent };

      // Upstream lets users change their own picture even when own-account editing is off.
      app.put(
        '/api/users/me/profile-picture',
        {
          preValidation: guards.requireUser,
          schema: { ...uploadSchema, summary: `Replace my picture (${uploadSummary})` },
        },
        (request, reply) => replace(request, reply, request.auth!.user.id),
      );
      app.delete(
        '/api/users/me/profile-picture',
        {
          preValidation: guards.requireUser,
          schema: { tags, summary: 'Reset my picture', response: noContent },
        },
        (request, reply) => reset(reply, request.auth!.user.id),
      );
    },
  };
}
