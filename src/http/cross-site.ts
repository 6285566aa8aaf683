import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/**
 * Protocol endpoints that relying parties reach from other sites by design (form posts, server-to-server
 * calls). They never act on the Latch session cookie alone, so they are not subject to the check below.
 */
const crossSiteProtocolPaths = [
  '/api/oidc/token',
  '/api/oidc/userinfo',
  '/api/oidc/introspect',
  '/api/oidc/revoke',
  '/api/oidc/end-session',
  '/api/oidc/device/authorize',
  '/api/oidc/par',
];

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a state-changing API request comes from a page of another site (or a sibling subdomain). */
export function isCrossSiteRequest(request: FastifyRequest, appOrigin: string): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== appOrigin) return true;
  const site = request.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

/**
 * CSRF defence for the REST API, on top of SameSite=Lax cookies (which let sibling subdomains through): a
 * state-changing request under /api/ that a browser marks as coming from another origin is refused before
 * anything runs. Scripts and API clients send no Origin and are unaffected.
 */
export function installCrossSiteProtection(app: FastifyInstance, appUrl: string): void {
  const appOrigin = new URL(appUrl).origin;
  app.addHook('onRequest', async (request) => {
    if (safeMethods.has(request.method)) return;
    const path = request.url.split('?', 1)[0];
    if (!path.startsWith('/api/')) return;
    if (crossSiteProtocolPaths.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return;
    if (isCrossSiteRequest(request, appOrigin)) {
      throw new AppError('cross_site_request', 403, 'Requests from other sites are not allowed');
    }
  });
}
