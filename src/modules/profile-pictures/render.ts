import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError } from '../../http/errors.ts';
import { detectImageType } from '../../lib/images.ts';

/** Profile pictures are square PNGs of this size. */
export const pictureSize = 300;
/** Larger images are refused before decoding, so a small file cannot expand into gigabytes of pixels. */
const maxPixels = 40_000_000;
const maxSide = 12_000;

export type PictureSourceType = 'png' | 'jpeg' | 'webp';
const acceptedTypes: readonly PictureSourceType[] = ['png', 'jpeg', 'webp'];

const invalidImage = (message: string) =>
  new AppError('invalid_image', 400, message, { fields: { file: message } });

// jimp and the WebP decoder load on first use, keeping them off the startup path.
type JimpModule = typeof import('jimp');
let jimpModule: Promise<JimpModule> | undefined;
const loadJimp = () => {
  jimpModule ??= import('jimp');
  return jimpModule;
};

type WebpDecode = (data: ArrayBuffer) => Promise<{ data: Uint8ClampedArray; width: number; height: number }>;
let webpDecoder: Promise<WebpDecode> | undefined;
/** The WASM WebP decoder, compiled from the package's file (its own loader would `fetch` a file URL, which Node refuses). */
function loadWebpDecoder(): Promise<WebpDecode> {
  webpDecoder ??= (async () => {
    const entry = import.meta.resolve('@jsquash/webp/decode.js');
    const { default: decode, init } = await import('@jsquash/webp/decode.js');
    const wasm = await readFile(new URL('./codec/dec/webp_dec.wasm', entry));
    // The project's TypeScript libraries leave out the WebAssembly global that Node provides.
    const { WebAssembly: webAssembly } = globalThis as unknown as {
      WebAssembly: { compile(bytes: Uint8Array): Promise<Parameters<typeof init>[0]> };
    };
    await init(await webAssembly.compile(wasm));
    return decode as WebpDecode;
  })();
  return webpDecoder;
}

/** Width and height from the image header, without decoding it; undefined when the header is unreadable. */
export function readImageSize(
  data: Buffer,
  type: PictureSourceType,
): { width: number; height: number } | undefined {
  if (type === 'png') {
    if (data.length < 24 || data.toString('ascii', 12, 16) !== 'IHDR') return undefined;
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (type === 'jpeg') {
    let offset = 2;
    while (offset + 9 < data.length) {
      if (data[offset] !== 0xff) return undefined;
      const marker = data[offset + 1];
      if (marker === 0xff) {
        offset += 1;
        continue;
      }
      const length = data.readUInt16BE(offset + 2);
      const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
      if (isStartOfFrame)
        return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
      offset += 2 + length;
    }
    return undefined;
  }
  if (data.length < 30) return undefined;
  const chunk = data.toString('ascii', 12, 16);
  if (chunk === 'VP8 ') {
    return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    const bits = data.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    return { width: data.readUIntLE(24, 3) + 1, height: data.readUIntLE(27, 3) + 1 };
  }
  return undefined;
}

/**
 * Decodes a PNG, JPEG or WebP image (type detected from its bytes), crops it to a centred square and
 * scales it to a 300×300 PNG.
 * @throws AppError invalid_image (400) for another type, an unreadable or corrupt file, or too many pixels
 */
export async function toProfilePicturePng(data: Buffer): Promise<Buffer> {
  const type = detectImageType(data);
  if (!type || !(acceptedTypes as readonly string[]).includes(type)) {
    throw invalidImage('The picture must be a PNG, JPEG or WebP image');
  }
  const sourceType = type as PictureSourceType;
  const size = readImageSize(data, sourceType);
  if (!size || size.width < 1 || size.height < 1)
    throw invalidImage('The image file is damaged or incomplete');
  if (size.width > maxSide || size.height > maxSide || size.width * size.height > maxPixels) {
    throw invalidImage(`The image is too large: at most ${maxSide} pixels a side and 40 megapixels`);
  }
  const { Jimp } = await loadJimp();
  let image: InstanceType<typeof Jimp>;
  try {
    if (sourceType === 'webp') {
      const decode = await loadWebpDecoder();
      const decoded = await decode(
        data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
      );
      image = Jimp.fromBitmap({
        data: Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength),
        width: decoded.width,
        height: decoded.height,
      });
    } else {
      image = (await Jimp.read(data)) as InstanceType<typeof Jimp>;
    }
  } catch {
    throw invalidImage('The image file is damaged or incomplete');
  }
  image.cover({ w: pictureSize, h: pictureSize });
  return image.getBuffer('image/png');
}

/** The initials shown when a user has no picture: first and last name's first letters, else the username's. */
export function initialsOf(user: { firstName: string; lastName: string; username: string }): string {
  const first = (text: string) => Array.from(text.trim())[0] ?? '';
  const fromNames = `${first(user.firstName)}${first(user.lastName)}`;
  const initials = fromNames || Array.from(user.username.trim()).slice(0, 2).join('');
  return initials.toLocaleUpperCase('en');
}

/** A background colour derived from the user id: a stable hue, with saturation and lightness that keep white letters readable. */
export function colourOf(userId: string): string {
  const hue = createHash('sha256').update(userId).digest().readUInt16BE(0) % 360;
  return hslToHex(hue, 0.5, 0.42);
}

function hslToHex(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = lightness - chroma / 2;
  const [r, g, b] =
    hue < 60
      ? [chroma, x, 0]
      : hue < 120
        ? [x, chroma, 0]
        : hue < 180
          ? [0, chroma, x]
          : hue < 240
            ? [0, x, chroma]
            : hue < 300
              ? [x, 0, chroma]
              : [chroma, 0, x];
  return [r, g, b]
    .map((channel) =>
      Math.round((channel + m) * 255)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('');
}

type Font = Awaited<ReturnType<JimpModule['loadFont']>>;
let font: Promise<Font> | undefined;

/** Renders white initials (Open Sans, shipped with jimp) centred on a coloured 300×300 square. */
export async function renderInitialsPng(initials: string, colourHex: string): Promise<Buffer> {
  const jimp = await loadJimp();
  const { SANS_128_WHITE } = await import('jimp/fonts');
  font ??= jimp.loadFont(SANS_128_WHITE);
  const loaded = await font;
  // Letters the bitmap font lacks (most non-Latin scripts) are left out rather than drawn as boxes.
  const text = Array.from(initials)
    .filter((char) => loaded.chars[char] !== undefined)
    .join('');
  const image = new jimp.Jimp({
    width: pictureSize,
    height: pictureSize,
    color: Number.parseInt(`${colourHex}ff`, 16),
  });
  if (text) {
    image.print({
      font: loaded,
      x: 0,
      y: 0,
      text: {
        text,
        alignmentX: jimp.HorizontalAlign.CENTER,
        alignmentY: jimp.VerticalAlign.MIDDLE,
      },
      maxWidth: pictureSize,
      maxHeight: pictureSize,
    });
  }
  return image.getBuffer('image/png');
}
