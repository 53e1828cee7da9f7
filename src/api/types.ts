/**
 * The API layer's request and response values: plain data in, plain data out, so every handler
 * is a function a test can call without a socket (hono's app.fetch idea); http-server.ts is the
 * only place that touches node:http. ApiError carries the status and Neutron's error type.
 */

export interface ApiRequest {
  readonly method: string;
  /** The decoded path, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  /** `http://127.0.0.1:PORT`: where clients reach this server (for the catalog and links). */
  readonly base: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON-encoded unless `text` is set; absent for 204. */
  readonly body?: unknown;
  readonly text?: string;
}

/** A refused request: the status, Neutron's exception name and vnet's message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

export const badRequest = (message: string, type = 'BadRequest') => new ApiError(400, type, message);
export const notFound = (type: string, message: string) => new ApiError(404, type, message);
export const conflict = (type: string, message: string) => new ApiError(409, type, message);
export const forbidden = (message: string) => new ApiError(403, 'PolicyNotAuthorized', message);

export const json = (status: number, body: unknown, headers?: Record<string, string>): ApiResponse => ({ status, body, ...(headers ? { headers } : {}) });
export const noContent = (): ApiResponse => ({ status: 204 });

/** A JSON object from the body (or a member of it), or a 400 naming what was expected. */
export function objectAt(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`expected ${what} to be a JSON object`);
  return value as Record<string, unknown>;
}
