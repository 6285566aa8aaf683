import { createHash } from 'node:crypto';
import { loadJimp, profilePictureSize as pictureSize } from '../../lib/profile-pictures.ts';

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

type Font = Awaited<ReturnType<typeof import('jimp')['loadFont']>>;
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
