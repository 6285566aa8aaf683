/**
 * Minimal callback URL check until the OIDC branch's `src/lib/callback-urls.ts` lands: a URL must parse,
 * or use only upstream's `*` wildcard forms (`*`, `*://host/path`, `https://*.example.com/**`, ...).
 * `javascript:` and `data:` are refused. Returns an error message, or null when the URL is acceptable.
 */
export function validateCallbackUrl(url: string): string | null {
  const value = url.trim();
  if (value === '') return 'must not be empty';
  if (value !== url) return 'must not have surrounding spaces';
  if (value === '*') return null;
  if (/^\s*(javascript|data|vbscript):/i.test(value)) return 'javascript: and data: URLs are not allowed';
  if (/\s/.test(value)) return 'must not contain spaces';
  // Replace wildcards by placeholders so the rest must still be a well-formed URL.
  const placeholder = value
    .replace(/^\*:\/\//, 'wildcard://')
    .replace(/^([^/]*\/\/[^/?#]*):\*(?=[/?#]|$)/, '$1:1')
    .replace(/\*\*/g, 'wildcards')
    .replace(/\*/g, 'wildcard');
  let parsed: URL;
  try {
    parsed = new URL(placeholder);
  } catch {
    return 'must be a valid URL';
  }
  if (!/^[a-z][a-z0-9+.-]*:$/i.test(parsed.protocol)) return 'must be a valid URL';
  if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname === '') {
    return 'must have a host';
  }
  return null;
}
