import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode } from './errors.ts';

export interface ErrorBody {
  error: string;
  code: ErrorCode | string;
  fields?: Record<string, string>;
  request_id: string;
}

function fieldPath(path: ReadonlyArray<PropertyKey> | string | undefined): string {
  if (Array.isArray(path)) return path.map(String).join('.');
  return typeof path === 'string' ? path.replace(/^\//, '').replaceAll('/', '.') : '';
}

/** Maps any thrown error to `{ error, code }` with the request id; internals are logged, never sent. */
export function toErrorResponse(
  error: unknown,
  request: FastifyRequest,
): { status: number; body: ErrorBody } {
  const requestId = request.id;
  if (error instanceof AppError) {
    return {
      status: error.status,
      body: {
        error: error.message,
        code: error.code,
        ...(error.fields && { fields: error.fields }),
        request_id: requestId,
      },
    };
  }
  const fastifyError = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    const fields: Record<string, string> = {};
    for (const issue of fastifyError.validation) {
      const name =
        fieldPath(
          (issue.params as { issue?: { path?: PropertyKey[] } })?.issue?.path ?? issue.instancePath,
        ) ||
        fastifyError.validationContext ||
        'body';
      fields[name] ??= issue.message ?? 'is invalid';
    }
    const summary = Object.entries(fields)
      .map(([name, message]) => `${name}: ${message}`)
      .join('; ');
    return {
      status: 400,
      body: { error: `Invalid request: ${summary}`, code: 'validation_error', fields, request_id: requestId },
    };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { error: 'The request body is too large', code: 'payload_too_large', request_id: requestId },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: { error: 'Unsupported content type', code: 'unsupported_media_type', request_id: requestId },
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        status: 400,
        body: { error: 'The request body is not valid JSON', code: 'invalid_json', request_id: requestId },
      };
  }
  if (fastifyError instanceof SyntaxError && (fastifyError as FastifyError).statusCode === 400) {
    return {
      status: 400,
      body: { error: 'The request body is not valid JSON', code: 'invalid_json', request_id: requestId },
    };
  }
  if (fastifyError.statusCode === 429) {
    return {
      status: 429,
      body: { error: 'Too many requests, try again later', code: 'rate_limited', request_id: requestId },
    };
  }
  if (
    fastifyError.statusCode &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500 &&
    !isResponseSerializationError(fastifyError)
  ) {
    return {
      status: fastifyError.statusCode,
      body: { error: fastifyError.message, code: 'validation_error', request_id: requestId },
    };
  }
  return {
    status: 500,
    body: { error: 'Something went wrong on our side', code: 'internal_error', request_id: requestId },
  };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(error, request);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.debug({ code: body.code }, body.error);
    if (error instanceof AppError && error.headers) reply.headers(error.headers);
    reply.code(status).header('cache-control', 'no-store').send(body);
  });
}
