import { readFileSync } from 'node:fs';

const names: Record<string, string> = JSON.parse(
  readFileSync(new URL('./aaguid-names.json', import.meta.url), 'utf8'),
);

/** A passkey's default name from its authenticator's AAGUID; security keys and unknown ones get a generic name. */
export function passkeyNameOf(aaguid: string | undefined): string {
  return (aaguid && names[aaguid.toLowerCase()]) || 'Passkey';
}
