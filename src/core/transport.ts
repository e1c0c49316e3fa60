import { AuthError, invalidResponse, type AuthErrorCode } from './errors';
import { errorEnvelopeSchema, validate, type ErrorEnvelope } from './schemas';

/** The requests authloop makes itself. */
export type AuthEndpoint = 'login' | 'refresh' | 'me' | 'logout';

/** What an error classifier is shown: never the request, so never a token. */
export interface ErrorResponseInfo {
  endpoint: AuthEndpoint;
  status: number;
  /** The parsed JSON body, or null when it was not JSON. */
  body: unknown;
}

/**
 * Decides which error a failed response becomes. Return `undefined` to keep the default.
 * Codes no HTTP answer can mean (`auth/storage`, `auth/invalid_config`) become `auth/http`.
 *
 * @example
 * // DummyJSON answers a wrong password with 400 { message: 'Invalid credentials' }
 * classifyError: ({ endpoint, status }) =>
 *   endpoint === 'login' && status === 400 ? 'auth/invalid_credentials' : undefined
 */
export type ErrorClassifier = (info: ErrorResponseInfo) => AuthErrorCode | undefined;

/** The default: 401 (or the envelope's code) on login is a wrong password; 400/401/403 on refresh is a rejection; 401 elsewhere is an ended session. */
export function defaultErrorCode({ endpoint, status, body }: ErrorResponseInfo): AuthErrorCode {
  const envelopeCode = (body as ErrorEnvelope | null)?.code;
  if (endpoint === 'login' && (status === 401 || envelopeCode === 'auth/invalid_credentials')) {
    return 'auth/invalid_credentials';
  }
  if (endpoint === 'refresh' && (status === 400 || status === 401 || status === 403)) return 'auth/refresh_rejected';
  if (status === 401) return 'auth/session_expired';
  return 'auth/http';
}

const HTTP_CODES: AuthErrorCode[] = [
  'auth/invalid_credentials',
  'auth/refresh_rejected',
  'auth/session_expired',
  'auth/network',
  'auth/invalid_response',
];

/** Reads a body as JSON; `undefined` when it is not. Never rethrows the parser's message, which can quote the body. */
export function readJson(response: Response): Promise<unknown> {
  return response.text().then(JSON.parse).catch(() => undefined);
}

/**
 * Returns the JSON of a 2xx answer. Every failure becomes an AuthError:
 * `auth/invalid_response` for a 2xx that is not JSON, and the classifier's code for any other status.
 */
export async function readResponse(endpoint: AuthEndpoint, response: Response, classify: ErrorClassifier | undefined): Promise<unknown> {
  const body = await readJson(response);
  const { status } = response;
  if (response.ok) {
    // A logout answers 204 as often as not: only the other endpoints owe a JSON body.
    if (body === undefined && endpoint !== 'logout') throw invalidResponse('the body is not JSON.', undefined, status);
    return body ?? null;
  }
  const envelope = await validate(errorEnvelopeSchema, body);
  const info = { endpoint, status, body: body ?? null };
  const classified = classify?.(info) ?? defaultErrorCode(info);
  // Only what an answer can mean: a classifier's 'auth/storage', or a string the types do not know, is plain auth/http.
  const code = HTTP_CODES.includes(classified) ? classified : 'auth/http';
  throw new AuthError(code, { status, serverCode: envelope.ok ? envelope.value.code : undefined, detail: code === 'auth/http' ? `HTTP ${status}.` : undefined });
}

/** True for failures worth retrying later: no answer, or a server-side or rate-limit status. */
export function isTransient(error: AuthError): boolean {
  if (error.code === 'auth/network') return true;
  const status = error.status ?? 0;
  return error.code === 'auth/http' && (status >= 500 || status === 408 || status === 429);
}
