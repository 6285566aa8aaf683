/** Every stable error code the REST API can return. Clients match on these; never rename one. */
export const errorCodes = [
  'validation_error',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'method_not_allowed',
  'unauthorized',
  'forbidden',
  'cross_site_request',
  'not_signed_in',
  'session_expired',
  'user_disabled',
  'admin_required',
  'api_key_auth_not_allowed',
  'reauthentication_required',
  'setup_not_available',
  'rate_limited',
  'conflict',
  'username_taken',
  'email_taken',
  'user_not_found',
  'group_not_found',
  'client_not_found',
  'passkey_not_found',
  'challenge_invalid',
  'passkey_verification_failed',
  'unknown_passkey',
  'token_invalid',
  'token_expired',
  'signup_disabled',
  'signup_token_invalid',
  'reserved_claim_key',
  'ui_config_disabled',
  'image_not_found',
  'invalid_image',
  'too_many_secrets',
  'public_client_secret',
  'access_denied',
  'interaction_not_found',
  'device_login_not_found',
  'device_login_invalid',
  'device_login_expired',
  'device_login_denied',
  'device_login_already_decided',
  'internal_error',
  'service_unavailable',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface AppErrorOptions {
  /** Field name -> message, for validation errors shown next to form fields. */
  readonly fields?: Record<string, string>;
  readonly cause?: unknown;
  readonly headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: Record<string, string> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, status: number, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.fields = options.fields;
    this.headers = options.headers;
  }
}

/** @throws AppError when the condition is false */
export function assert(condition: unknown, error: AppError | (() => AppError)): asserts condition {
  if (!condition) throw typeof error === 'function' ? error() : error;
}

export const notFound = (code: ErrorCode, message: string) => new AppError(code, 404, message);
export const badRequest = (message: string, fields?: Record<string, string>) =>
  new AppError('validation_error', 400, message, { fields });
export const forbidden = (code: ErrorCode, message: string) => new AppError(code, 403, message);
export const unauthorized = (code: ErrorCode, message: string) => new AppError(code, 401, message);
export const conflict = (code: ErrorCode, message: string) => new AppError(code, 409, message);
