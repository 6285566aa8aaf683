import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { detectImageType, type ImageType } from './images.ts';

/** Node's WebAssembly global (not in the TypeScript lib this project compiles against). */
const wasmModule = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => never } })
  .WebAssembly.Module;

/** Profile pictures are stored as square PNGs of this size, as upstream does. */
export const profilePictureSize = 300;
export const maxProfilePictureBytes = 2 * 1024 * 1024;
export const profilePictureTypes: readonly ImageType[] = ['png', 'jpeg', 'webp'];
/** Refuse images whose decoded size would be huge (a small file can declare enormous dimensions). */
const maxPixels = 40_000_000;

/** Where a user's picture lives under UPLOAD_PATH (without the `.png` the image store appends). */
export const profilePictureName = (userId: string) => `profile-pictures/${userId}`;

// The image libraries load on first use, keeping them off the startup path and out of idle memory.
type WebpDecoder = typeof import('@jsquash/webp/decode.js').default;
let jimp: Promise<typeof import('jimp')> | undefined;
let webpDecoder: Promise<WebpDecoder> | undefined;
export const loadJimp = () => {
  jimp ??= import('jimp');
  return jimp;
};
/** The WebP codec loads its WebAssembly with fetch(), which Node cannot do for files: hand it the module. */
function loadWebpDecoder(): Promise<WebpDecoder> {
  webpDecoder ??= (async () => {
    const codec = await import('@jsquash/webp/decode.js');
    const path = createRequire(import.meta.url).resolve('@jsquash/webp/codec/dec/webp_dec.wasm');
    await codec.init(new wasmModule(readFileSync(path)));
    return codec.default;
  })();
  return webpDecoder;
}

/** Decodes to pixels: Jimp reads PNG and JPEG itself, WebP goes through the WebAssembly codec. */
async function decode(data: Buffer, type: ImageType) {
  const { Jimp } = await loadJimp();
  if (type !== 'webp') return Jimp.read(data);
  const decodeWebp = await loadWebpDecoder();
  const pixels = await decodeWebp(new Uint8Array(data).buffer);
  return Jimp.fromBitmap({
    data: Buffer.from(pixels.data.buffer),
    width: pixels.width,
    height: pixels.height,
  });
}

/** Width and height from the file header, without decoding the pixels. */
function declaredDimensions(data: Buffer, type: ImageType): { width: number; height: number } | undefined {
  if (type === 'png' && data.length >= 24)
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  if (type === 'jpeg') {
    for (let offset = 2; offset + 9 < data.length; ) {
      if (data[offset] !== 0xff) return undefined;
      const marker = data[offset + 1];
      const length = data.readUInt16BE(offset + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
      }
      offset += 2 + length;
    }
    return undefined;
  }
  if (type === 'webp' && data.length >= 30) {
    const chunk = data.toString('ascii', 12, 16);
    if (chunk === 'VP8X') return { width: data.readUIntLE(24, 3) + 1, height: data.readUIntLE(27, 3) + 1 };
    if (chunk === 'VP8 ')
      return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = data.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  return undefined;
}

export class ProfilePictureError extends Error {}

/**
 * Turns an uploaded PNG, JPEG or WebP into the stored form: cropped to a square and scaled to 300 px, as PNG.
 * @throws ProfilePictureError with a message fit for the user
 */
export async function toProfilePicturePng(data: Buffer): Promise<Buffer> {
  if (data.byteLength > maxProfilePictureBytes)
    throw new ProfilePictureError('The picture must be at most 2 MiB');
  const type = detectImageType(data);
  if (!type || !profilePictureTypes.includes(type)) {
    throw new ProfilePictureError('The picture must be a PNG, JPEG or WebP image');
  }
  const size = declaredDimensions(data, type);
  if (!size || size.width * size.height > maxPixels || size.width === 0 || size.height === 0) {
    throw new ProfilePictureError('The picture is damaged or too large (at most 40 megapixels)');
  }
  try {
    const image = await decode(data, type);
    image.cover({ w: profilePictureSize, h: profilePictureSize });
    return await image.getBuffer('image/png');
  } catch {
    throw new ProfilePictureError('The picture could not be read');
  }
}
