import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

export const webDistPath = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Paths the server owns; everything else that accepts HTML is the SPA. */
const serverPrefixes = ['/api/', '/.well-known/', '/healthz', '/authorize'];

/**
 * Serves the built SPA: hashed assets cached for a year, other files briefly, and index.html (with a script
 * nonce per response) for every unknown GET that is not an API path. Unknown API paths are JSON 404s.
 */
export async function registerSpa(app: FastifyInstance, distPath = webDistPath): Promise<void> {
  const indexPath = `${distPath}index.html`;
  const hasBuild = existsSync(indexPath);
  let indexHtml: string | undefined;

  if (hasBuild) {
    await app.register(fastifyStatic, {
      root: distPath,
      prefix: '/',
      wildcard: false,
      index: false,
      serveDotFiles: false,
      setHeaders(res, path) {
        const immutable = path.includes('/assets/');
        res.header(
          'cache-control',
          immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
        );
      },
    });
  }

  const sendIndex = (reply: FastifyReply) => {
    indexHtml ??= readFileSync(indexPath, 'utf8');
    const nonce = reply.cspNonce();
    const html = indexHtml.replaceAll('<script', `<script nonce="${nonce}"`);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    const isServerPath = serverPrefixes.some(
      (prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix),
    );
    if (!isServerPath && (request.method === 'GET' || request.method === 'HEAD') && hasBuild) {
      return sendIndex(reply);
    }
    throw new AppError('not_found', 404, `No route for ${request.method} ${path}`);
  });
}
