/** Anything with a zod-style `parse`, so callers can validate responses with the server's own schemas. */
export interface ResponseSchema<T> {
  parse(data: unknown): T;
}

export interface RequestOptions<T> {
  /** Sent as JSON, or as-is when it is `FormData` (file uploads). */
  body?: unknown;
  schema?: ResponseSchema<T>;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** An API call that failed, carrying the server's `{ error, code }` body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** @throws {ApiError} when the server answers with a non-2xx status or cannot be reached. */
export function apiGet<T>(path: string, options?: Omit<RequestOptions<T>, 'body'>): Promise<T> {
  return request('GET', path, options);
}

/** @throws {ApiError} when the server answers with a non-2xx status or cannot be reached. */
export function apiPost<T>(path: string, options?: RequestOptions<T>) {
  return request('POST', path, options);
}

/** @throws {ApiError} when the server answers with a non-2xx status or cannot be reached. */
export function apiPut<T>(path: string, options?: RequestOptions<T>) {
  return request('PUT', path, options);
}

/** @throws {ApiError} when the server answers with a non-2xx status or cannot be reached. */
export function apiPatch<T>(path: string, options?: RequestOptions<T>) {
  return request('PATCH', path, options);
}

/** @throws {ApiError} when the server answers with a non-2xx status or cannot be reached. */
export function apiDelete<T = void>(path: string, options?: RequestOptions<T>) {
  return request('DELETE', path, options);
}

async function request<T>(
  method: string,
  path: string,
  { body, schema, signal, headers }: RequestOptions<T> = {},
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    signal,
    headers: { Accept: 'application/json', ...headers },
  };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError(0, 'network_error', 'The server could not be reached');
  }

  if (!response.ok) throw await readApiError(response);
  const data = await readJson(response);
  return schema ? schema.parse(data) : (data as T);
}

async function readApiError(response: Response): Promise<ApiError> {
  const data = await readJson(response).catch(() => undefined);
  const body = isRecord(data) ? data : {};
  return new ApiError(
    response.status,
    typeof body.code === 'string' ? body.code : 'unknown_error',
    typeof body.error === 'string'
      ? body.error
      : response.statusText || `Request failed with status ${response.status}`,
  );
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  return text === '' ? undefined : JSON.parse(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
