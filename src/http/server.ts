import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from '../config/env.ts';
import { installCrossSiteProtection } from './cross-site.ts';
import { installErrorHandler } from './error-handler.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { registerSpa } from './spa.ts';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A feature module plugs its routes in here; main.ts decides the order. */
export interface HttpModule {
  register(app: App): void | Promise<void>;
}

export interface ServerOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly modules: readonly HttpModule[];
  readonly version: string;
  /** Where rate-limit counters live (the database, so limits hold across instances); in memory if unset. */
  readonly rateLimitStore?: FastifyRateLimitStoreCtor;
  /** Test apps skip the built SPA when they do not need it. */
  readonly serveSpa?: boolean;
}

export const bodyLimitBytes = 1024 * 1024;

export async function buildServer(options: ServerOptions): Promise<App> {
  const { config } = options;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    trustProxy: config.trustProxy,
    bodyLimit: bodyLimitBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 500 },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Plain-text bodies are what a cross-site form can send without a preflight; no route takes them.
  app.removeContentTypeParser('text/plain');
  // API clients send `Content-Type: application/json` with an empty body on body-less requests.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = Object.assign(new Error('invalid json'), {
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
        statusCode: 400,
      });
      done(error, undefined);
    }
  });

  // While shutting down, answer in-flight requests with `Connection: close` so keep-alive clients let go.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  app.decorateRequest('auth', null);
  installErrorHandler(app);
  installCrossSiteProtection(app, config.appUrl);
  installSecurityHeaders(app);
  await app.register(fastifyCookie);
  // Limits are declared per route (`config.rateLimit`); none apply when DISABLE_RATE_LIMITING is set.
  if (!config.disableRateLimiting) {
    await app.register(fastifyRateLimit, { global: false, store: options.rateLimitStore });
  }
  // Uploads (logos, branding images): one file per request; routes set tighter limits.
  await app.register(fastifyMultipart, { limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 5 } });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Latch REST API', version: options.version },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          session: { type: 'apiKey', in: 'cookie', name: 'access_token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: false });

  for (const module of options.modules) await module.register(app);

  if (options.serveSpa !== false) await registerSpa(app);
  else await registerSpa(app, '/nonexistent/');
  return app;
}
