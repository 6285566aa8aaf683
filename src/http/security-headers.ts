import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';

declare module 'fastify' {
  interface FastifyReply {
    /** A fresh nonce for the inline/module scripts of an HTML response. */
    cspNonce(): string;
  }
}

export function contentSecurityPolicy(nonce: string | undefined, formAction = "'self'"): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    `form-action ${formAction}`,
    'img-src * data: blob:',
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    `script-src 'self'${nonce ? ` 'nonce-${nonce}'` : ''}`,
    "connect-src 'self'",
  ].join('; ');
}

/**
 * Security headers on every response. HTML responses get a per-response script nonce; API and protocol
 * responses default to `Cache-Control: private, no-store` unless a route chose otherwise.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  const nonces = new WeakMap<FastifyReply, string>();
  app.decorateReply('cspNonce', function (this: FastifyReply) {
    let nonce = nonces.get(this);
    if (!nonce) {
      nonce = randomBytes(16).toString('base64');
      nonces.set(this, nonce);
    }
    return nonce;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', contentSecurityPolicy(nonces.get(reply)));
    }
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
    return payload;
  });
}
