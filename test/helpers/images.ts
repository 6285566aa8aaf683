import { readFile } from 'node:fs/promises';
import { Jimp } from 'jimp';

export type Rgb = readonly [number, number, number];

/** A picture whose left half is one colour and right half another, so a crop can be checked. */
export function twoColourImage(width: number, height: number, left: Rgb, right: Rgb) {
  const image = new Jimp({ width, height, color: 0 });
  image.scan(0, 0, width, height, (x, _y, index) => {
    const [r, g, b] = x < width / 2 ? left : right;
    image.bitmap.data.set([r, g, b, 255], index);
  });
  return image;
}

export async function encodeImage(
  image: ReturnType<typeof twoColourImage>,
  type: 'png' | 'jpeg' | 'webp',
): Promise<Buffer> {
  if (type !== 'webp') return image.getBuffer(type === 'png' ? 'image/png' : 'image/jpeg');
  const entry = import.meta.resolve('@jsquash/webp/encode.js');
  const { default: encode, init } = await import('@jsquash/webp/encode.js');
  const { WebAssembly: webAssembly } = globalThis as unknown as {
    WebAssembly: { compile(bytes: Uint8Array): Promise<Parameters<typeof init>[0]> };
  };
  await init(await webAssembly.compile(await readFile(new URL('./codec/enc/webp_enc.wasm', entry))));
  const { width, height, data } = image.bitmap;
  const encoded = await encode({
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width,
    height,
    colorSpace: 'srgb',
  } as Parameters<typeof encode>[0]);
  return Buffer.from(encoded);
}

/** Decodes a PNG and returns its size and a pixel reader. */
export async function readPng(png: Buffer) {
  const image = await Jimp.read(png);
  return {
    width: image.width,
    height: image.height,
    pixel(x: number, y: number): Rgb {
      const color = image.getPixelColor(x, y);
      return [(color >>> 24) & 255, (color >>> 16) & 255, (color >>> 8) & 255];
    },
  };
}

/** True when two colours differ by at most `tolerance` per channel (lossy formats shift them a little). */
export function near(actual: Rgb, expected: Rgb, tolerance = 24): boolean {
  return actual.every((channel, index) => Math.abs(channel - expected[index]) <= tolerance);
}

/** A multipart/form-data body with one `file` field. */
export function multipartFile(data: Buffer, filename = 'picture') {
  const boundary = `----latch${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
