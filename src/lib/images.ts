import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type ImageType = 'png' | 'jpeg' | 'webp' | 'gif' | 'svg' | 'ico';

export const imageContentTypes: Record<ImageType, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

/** The image type from the file's first bytes (never from its name or the client's content type). */
export function detectImageType(data: Uint8Array): ImageType | undefined {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 12 &&
    bytes.toString('ascii', 0, 4) === 'RIFF' &&
    bytes.toString('ascii', 8, 12) === 'WEBP'
  )
    return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('ascii', 0, 6))) return 'gif';
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 1 && bytes[3] === 0) return 'ico';
  const head = bytes.toString('utf8', 0, Math.min(bytes.length, 1024)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  return undefined;
}

/** Stored images under UPLOAD_PATH; names are built by the callers from ids, never from user input alone. */
export function createImageStore(uploadPath: string) {
  const pathOf = (name: string, type: string) => join(uploadPath, `${name}.${type}`);
  return {
    async save(name: string, type: ImageType, data: Uint8Array): Promise<void> {
      const path = pathOf(name, type);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
    },
    async read(name: string, type: string): Promise<Buffer | undefined> {
      try {
        return await readFile(pathOf(name, type));
      } catch {
        return undefined;
      }
    },
    async remove(name: string, type: string): Promise<void> {
      await rm(pathOf(name, type), { force: true });
    },
  };
}

export type ImageStore = ReturnType<typeof createImageStore>;

/**
 * Downloads an image from a URL with a size limit, a timeout and a type check on the bytes.
 * @throws Error with a message fit for the user
 */
export async function fetchImage(url: string, maxBytes: number): Promise<{ type: ImageType; data: Buffer }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'follow' });
  if (!response.ok || !response.body) throw new Error(`the URL answered ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`the image is larger than ${maxBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`the image is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const data = Buffer.concat(chunks);
  const type = detectImageType(data);
  if (!type) throw new Error('the URL does not point to a PNG, JPEG, WebP, GIF, SVG or ICO image');
  return { type, data };
}
