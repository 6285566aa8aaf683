import { colorsTuple, type MantineColorsTuple } from '@mantine/core';

type Rgb = readonly [number, number, number];

// Shades 0-5 blend the accent towards white, 7-9 towards black; shade 6 is the accent itself.
const whiteBlends = [0.92, 0.8, 0.64, 0.46, 0.3, 0.14];
const blackBlends = [0.14, 0.28, 0.42];

/** A Mantine colour tuple whose shade 6 is exactly `hex`, or `null` if `hex` is not a hex colour. */
export function generateColorTuple(hex: string): MantineColorsTuple | null {
  const rgb = parseHex(hex);
  if (!rgb) return null;
  const white: Rgb = [255, 255, 255];
  const black: Rgb = [0, 0, 0];
  return colorsTuple([
    ...whiteBlends.map((amount) => toHex(mix(rgb, white, amount))),
    toHex(rgb),
    ...blackBlends.map((amount) => toHex(mix(rgb, black, amount))),
  ]);
}

/**
 * Normalises any opaque CSS colour (`#5b5bd6`, `rebeccapurple`, `oklch(...)`) to `#rrggbb`,
 * or `null` if the browser does not understand it.
 */
export function cssColorToHex(color: string): string | null {
  const value = color.trim();
  const rgb = parseHex(value) ?? resolveWithCanvas(value);
  return rgb ? toHex(rgb) : null;
}

function parseHex(value: string): Rgb | null {
  const match = /^#([\da-f]{3}|[\da-f]{6})$/i.exec(value);
  if (!match) return null;
  const digits = match[1].length === 3 ? [...match[1]].map((digit) => digit + digit).join('') : match[1];
  const channel = (start: number) => Number.parseInt(digits.slice(start, start + 2), 16);
  return [channel(0), channel(2), channel(4)];
}

/** Lets the browser resolve named and functional colours by painting one pixel. */
function resolveWithCanvas(value: string): Rgb | null {
  if (typeof document === 'undefined' || !CSS.supports('color', value)) {
    return null;
  }
  const canvas = document.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  context.fillStyle = value;
  context.fillRect(0, 0, 1, 1);
  const [red, green, blue, alpha] = context.getImageData(0, 0, 1, 1).data;
  return alpha === 255 ? [red, green, blue] : null;
}

function mix(from: Rgb, to: Rgb, amount: number): Rgb {
  const blend = (index: 0 | 1 | 2) => Math.round(from[index] + (to[index] - from[index]) * amount);
  return [blend(0), blend(1), blend(2)];
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
}
