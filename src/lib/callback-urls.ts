/**
 * Redirect and logout callback URLs as upstream accepts them: exact URLs, or patterns with `*` in the scheme,
 * host, port, path segments (`*` one segment, `**` any number) and query values. Plain-http loopback URLs
 * match on any port (RFC 8252 §7.3). Anything else is compared as an exact string.
 */

const forbiddenSchemes = new Set(['javascript', 'data', 'vbscript', 'file']);
const defaultPorts: Record<string, string> = { http: '80', https: '443' };
const loopbackHost = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

interface ParsedPattern {
  readonly scheme: string;
  readonly host: string;
  readonly port: string;
  readonly path: string;
  readonly query: string | undefined;
}

/** Splits a URL or pattern without the WHATWG parser, which refuses `*` in hosts and ports. */
function splitUrl(value: string): ParsedPattern | undefined {
  const match = /^([A-Za-z*][A-Za-z0-9+.\-*]*):(\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/.exec(value);
  if (!match) return undefined;
  const authority = match[3] ?? '';
  if (authority.includes('@')) return undefined;
  const portMatch = /^(\[[^\]]*\]|[^:]*)(?::([^:]*))?$/.exec(authority);
  if (!portMatch) return undefined;
  return {
    scheme: match[1].toLowerCase(),
    host: portMatch[1].toLowerCase(),
    port: portMatch[2] ?? '',
    path: match[4],
    query: match[5]?.slice(1),
  };
}

function globToRegExp(glob: string, wildcard: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${escaped.join(wildcard)}$`);
}

function hasWildcard(pattern: string): boolean {
  return pattern.includes('*');
}

/** Returns a message saying why a callback URL cannot be registered, or undefined when it is fine. */
export function validateCallbackUrl(
  value: string,
  options: { allowInsecure: boolean } = { allowInsecure: true },
): string | undefined {
  if (value === '*') return undefined;
  if (value.trim() !== value || value.length === 0) return 'must not be empty or have surrounding spaces';
  if (value.length > 2048) return 'must be at most 2048 characters long';
  const parts = splitUrl(value);
  if (!parts) return 'must be an absolute URL, e.g. https://app.example.com/callback';
  if (forbiddenSchemes.has(parts.scheme)) return `the ${parts.scheme}: scheme is not allowed`;
  if (value.includes('#')) return 'must not contain a fragment';
  if ((parts.scheme === 'http' || parts.scheme === 'https') && parts.host === '') return 'must have a host';
  if (parts.scheme === 'http' && !options.allowInsecure && !loopbackHost.test(parts.host)) {
    return 'must use https (plain http is only allowed for localhost)';
  }
  if (!hasWildcard(value)) {
    try {
      new URL(value);
    } catch {
      return 'must be a valid URL';
    }
  }
  return undefined;
}

function pathMatches(patternPath: string, candidatePath: string): boolean {
  const pattern = patternPath.split('/');
  const candidate = candidatePath.split('/');
  const match = (p: number, c: number): boolean => {
    if (p === pattern.length) return c === candidate.length;
    if (pattern[p] === '**') {
      for (let next = c; next <= candidate.length; next += 1) if (match(p + 1, next)) return true;
      return false;
    }
    if (c === candidate.length) return false;
    const segment = pattern[p];
    const ok =
      segment === '*'
        ? candidate[c].length > 0
        : segment.includes('*')
          ? globToRegExp(segment, '[^/]*').test(candidate[c])
          : segment === candidate[c];
    return ok && match(p + 1, c + 1);
  };
  return match(0, 0);
}

function queryMatches(patternQuery: string | undefined, candidateQuery: string | undefined): boolean {
  const pattern = new URLSearchParams(patternQuery ?? '');
  const candidate = new URLSearchParams(candidateQuery ?? '');
  const patternKeys = [...new Set(pattern.keys())].sort();
  const candidateKeys = [...new Set(candidate.keys())].sort();
  if (patternKeys.join('&') !== candidateKeys.join('&')) return false;
  return patternKeys.every((name) => {
    const expected = pattern.getAll(name);
    const actual = candidate.getAll(name);
    return (
      expected.length === actual.length &&
      expected.every((glob, index) => globToRegExp(glob, '.*').test(actual[index]))
    );
  });
}

/** True when `candidate` (a redirect_uri from a request) is allowed by the registered `pattern`. */
export function matchCallbackUrl(pattern: string, candidate: string): boolean {
  const parts = splitUrl(candidate);
  if (!parts || forbiddenSchemes.has(parts.scheme)) return false;
  if (pattern === '*') return true;
  if (candidate === pattern) return true;
  const expected = splitUrl(pattern);
  if (!expected) return false;
  const loopback = expected.scheme === 'http' && loopbackHost.test(expected.host);
  if (!hasWildcard(pattern) && !loopback) return false;
  // Dot segments and backslashes could change the target once a browser normalises the URL.
  if (/(^|\/)\.\.?(\/|$)/.test(parts.path) || candidate.includes('\\')) return false;
  if (!globToRegExp(expected.scheme, '[a-z0-9+.-]*').test(parts.scheme)) return false;
  const hostGlob = expected.host === '*' ? '.*' : '[^./:@]*';
  if (!globToRegExp(expected.host, hostGlob).test(parts.host)) return false;
  if (!loopback && expected.port !== '*') {
    const port = (value: string, scheme: string) => value || defaultPorts[scheme] || '';
    if (port(expected.port, expected.scheme) !== port(parts.port, parts.scheme)) return false;
  } else if (loopback && parts.port !== '' && !/^\d{1,5}$/.test(parts.port)) {
    return false;
  }
  return pathMatches(expected.path || '/', parts.path || '/') && queryMatches(expected.query, parts.query);
}

/** True when any of the registered patterns allows the candidate. */
export function isCallbackUrlAllowed(patterns: readonly string[], candidate: string): boolean {
  return patterns.some((pattern) => matchCallbackUrl(pattern, candidate));
}
