import { createTheme, type MantineThemeOverride } from '@mantine/core';
import { cssColorToHex, generateColorTuple } from './accent-color';

const baseTheme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  cursorType: 'pointer',
  autoContrast: true,
  headings: { fontWeight: '650' },
});

/** The Mantine theme for the `accentColor` setting: `default` or any CSS colour. */
export function createAppTheme(accentColor: string): MantineThemeOverride {
  const hex = accentColor === 'default' ? null : cssColorToHex(accentColor);
  const accent = hex ? generateColorTuple(hex) : null;
  if (!accent) return baseTheme;
  return {
    ...baseTheme,
    colors: { accent },
    primaryColor: 'accent',
    // Show the configured colour itself in both schemes; autoContrast keeps text readable.
    primaryShade: 6,
  };
}
