/** Control characters (browsers silently drop tabs and newlines from URLs) and backslashes (read as `/`). */
function hasUnsafeCharacter(value: string): boolean {
  for (const character of value) {
    const code = character.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || character === '\\') return true;
  }
  return false;
}

/** The URL `value` names on `origin`, or undefined when it contains unsafe characters or leaves the origin. */
function sameOriginUrl(value: string, origin: string): URL | undefined {
  if (value !== value.trim() || hasUnsafeCharacter(value)) return undefined;
  try {
    const url = new URL(value, origin);
    return url.origin === origin ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where to send the browser after signing in: `value` (a `?redirect=` parameter) when it stays on `origin`,
 * as path + query + fragment; otherwise `fallback`. The percent-decoded form must pass the same checks, so
 * `/%09/evil.example` or `/%2F/evil.example` cannot turn into `//evil.example` further along.
 */
export function safeRedirect(value: string | null | undefined, fallback: string, origin: string): string {
  if (!value) return fallback;
  const base = new URL(origin).origin;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  const url = sameOriginUrl(value, base);
  if (!url || !sameOriginUrl(decoded, base)) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
