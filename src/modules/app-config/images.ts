import { z } from 'zod';
import type { Guards } from '../../http/auth.ts';
import { AppError, notFound } from '../../http/errors.ts';
import type { App } from '../../http/server.ts';
import { readUploadedFile } from '../../http/uploads.ts';
import { detectImageType, type ImageStore, type ImageType, imageContentTypes } from '../../lib/images.ts';

/** Branding images: which types each accepts and how large it may be. */
const brandingImages = {
  logo: { types: ['png', 'jpeg', 'webp', 'gif', 'svg'], maxBytes: 2 * 1024 * 1024, lightDark: true },
  email: { types: ['png', 'jpeg'], maxBytes: 2 * 1024 * 1024, lightDark: false },
  favicon: { types: ['svg', 'png', 'ico'], maxBytes: 1024 * 1024, lightDark: false },
  background: { types: ['png', 'jpeg', 'webp'], maxBytes: 5 * 1024 * 1024, lightDark: false },
  'default-profile-picture': { types: ['png', 'jpeg', 'webp'], maxBytes: 2 * 1024 * 1024, lightDark: false },
} as const satisfies Record<string, { types: readonly ImageType[]; maxBytes: number; lightDark: boolean }>;
type BrandingImage = keyof typeof brandingImages;
const allTypes = Object.keys(imageContentTypes) as ImageType[];

const lightQuery = z.object({ light: z.enum(['true', 'false']).optional() });

export function registerBrandingImages(app: App, deps: { images: ImageStore; guards: Guards }) {
  const { images, guards } = deps;
  const tags = ['Application images'];
  const storedName = (name: BrandingImage, light: string | undefined) =>
    `application-images/${name}${brandingImages[name].lightDark && light === 'false' ? '-dark' : ''}`;

  async function findStored(name: string): Promise<{ type: ImageType; data: Buffer } | undefined> {
    for (const type of allTypes) {
      const data = await images.read(name, type);
      if (data) return { type, data };
    }
    return undefined;
  }

  async function removeAll(name: string) {
    for (const type of allTypes) await images.remove(name, type);
  }

  for (const name of Object.keys(brandingImages) as BrandingImage[]) {
    const spec = brandingImages[name];
    const path = `/api/application-images/${name}`;
    app.get(
      path,
      { schema: { tags, summary: `The ${name} image`, querystring: lightQuery } },
      async (request, reply) => {
        let stored = await findStored(storedName(name, request.query.light));
        // A dark logo falls back to the light one.
        if (!stored && spec.lightDark) stored = await findStored(storedName(name, 'true'));
        if (!stored) throw notFound('image_not_found', `No ${name} image is set`);
        return reply
          .header('content-type', imageContentTypes[stored.type])
          .header('cache-control', 'public, max-age=900')
          .header('x-content-type-options', 'nosniff')
          .send(stored.data);
      },
    );
    app.put(
      path,
      {
        preValidation: guards.requireAdmin,
        schema: {
          tags,
          summary: `Replace the ${name} image (multipart \`file\`: ${spec.types.join(', ')}; at most ${spec.maxBytes} bytes)`,
          querystring: lightQuery,
          consumes: ['multipart/form-data'],
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const data = await readUploadedFile(request, spec.maxBytes);
        const type = detectImageType(data);
        if (!type || !(spec.types as readonly ImageType[]).includes(type)) {
          throw new AppError(
            'invalid_image',
            400,
            `The ${name} image must be one of: ${spec.types.join(', ')}`,
            {
              fields: { file: 'unsupported image type' },
            },
          );
        }
        const stored = storedName(name, request.query.light);
        await removeAll(stored);
        await images.save(stored, type, data);
        return reply.code(204).send(null);
      },
    );
    app.delete(
      path,
      {
        preValidation: guards.requireAdmin,
        schema: {
          tags,
          summary: `Reset the ${name} image to the default`,
          querystring: lightQuery,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await removeAll(storedName(name, request.query.light));
        return reply.code(204).send(null);
      },
    );
  }
}
