import { useComputedColorScheme } from '@mantine/core';
import { useState } from 'react';

export interface AppLogoProps {
  size?: number;
}

/**
 * The uploaded logo for the current colour scheme, or Latch's own mark when
 * none is configured. Decorative: it always sits next to the app name.
 */
export function AppLogo({ size = 40 }: AppLogoProps) {
  const colorScheme = useComputedColorScheme('light', {
    getInitialValueInEffect: false,
  });
  const src = `/api/application-images/logo?light=${colorScheme === 'light'}`;
  const [failedSrc, setFailedSrc] = useState<string>();

  if (failedSrc === src) return <LatchMark size={size} />;
  return (
    <img
      src={src}
      alt=""
      width={size}
      height={size}
      style={{ objectFit: 'contain', display: 'block' }}
      onError={() => setFailedSrc(src)}
    />
  );
}

function LatchMark({ size }: { size: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 48 48"
      aria-hidden="true"
      focusable="false"
      style={{ display: 'block' }}
    >
      <rect x="2" y="2" width="44" height="44" rx="12" fill="var(--mantine-primary-color-filled)" />
      <path
        d="M17 22v-5a7 7 0 0 1 14 0v5"
        fill="none"
        stroke="var(--mantine-primary-color-contrast)"
        strokeWidth="3.5"
        strokeLinecap="round"
      />
      <rect x="12.5" y="21" width="23" height="17" rx="4" fill="var(--mantine-primary-color-contrast)" />
      <circle cx="24" cy="28.5" r="2.5" fill="var(--mantine-primary-color-filled)" />
      <rect x="22.75" y="29" width="2.5" height="4.5" rx="1.25" fill="var(--mantine-primary-color-filled)" />
    </svg>
  );
}
