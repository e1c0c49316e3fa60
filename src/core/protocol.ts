import { createAuthError, invalidResponse, type AuthError, type AuthErrorCode } from './errors';
import { andThen, type MaybePromise } from './maybe';
import type { ErrorEnvelope } from './contractSchemas';
import { tokenResponseSchema, validate } from './schemas';
import type { EndReason } from './sessionState';

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

/** What a server granted: tokens, a lifetime, and the user fields when the answer carried them. */
export interface Grant {
  accessToken: string;
  /** The new refresh token; `undefined` when the answer kept the current one. */
  refreshToken?: string | undefined;
  /** Lifetime in seconds, when the answer said. */
  expiresIn?: number | undefined;
  /** The user as the answer carried it (to be validated by the user schema); `undefined`: ask me. */
  user?: unknown;
}

/** A request the engine sends: path (relative to `baseUrl`) and JSON body. */
export interface ProtocolRequest {
  path: string;
  body?: unknown;
}

/** A failed answer as the engine acts on it. */
export interface ProtocolError {
  code: AuthErrorCode;
  serverCode?: string | undefined;
}

/** The wire format of the contract: what every request looks like and how every answer reads. */
export interface ContractProtocol {
  login(credentials: { username: string; password: string }): ProtocolRequest;
  refresh(refreshToken: string | null): ProtocolRequest;
  me(): ProtocolRequest;
  logout(refreshToken: string | null): ProtocolRequest | null;
  readGrant(endpoint: 'login' | 'refresh', body: unknown): MaybePromise<Grant>;
  /** A refresh token in an answer that was refused as a whole, so the one sent is not sent again. */
  salvageRefreshToken(body: unknown): string | undefined;
  readError(info: ErrorResponseInfo): ProtocolError;
  /** Why a refused refresh ended the session, in the server's words. */
  endReason(error: AuthError): Extract<EndReason, 'expired' | 'revoked'>;
}

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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value == 'object' && value !== null && !Array.isArray(value);

export interface ContractOptions {
  paths: { login: string; refresh: string; me: string; logout?: string | undefined };
  /** The refresh token travels in an HttpOnly cookie, not in the body. */
  refreshInCookie: boolean;
  classifyError?: ErrorClassifier | undefined;
}

/** The contract's wire format (README, "The contract"), shaped by the `paths`, `refreshTokenIn` and `classifyError` options. */
export function createContractProtocol({ paths, refreshInCookie, classifyError }: ContractOptions): ContractProtocol {
  const tokenBody = (refreshToken: string | null) => (refreshInCookie || refreshToken === null ? {} : { refreshToken });
  return {
    login: ({ username, password }) => ({ path: paths.login, body: { username, password } }),
    refresh: (refreshToken) => ({ path: paths.refresh, body: tokenBody(refreshToken) }),
    me: () => ({ path: paths.me }),
    logout: (refreshToken) => (paths.logout ? { path: paths.logout, body: tokenBody(refreshToken) } : null),
    readGrant(endpoint, body) {
      if (!isRecord(body)) throw invalidResponse('expected a JSON object.');
      return andThen(validate(tokenResponseSchema, body), (tokens) => {
        if (!tokens.ok) throw invalidResponse('the tokens are missing or malformed.', tokens.issues);
        const { accessToken, refreshToken, expiresIn, ...userFields } = tokens.value;
        // The login's user is what the token fields leave; a login answer of tokens only asks me.
        const user = endpoint === 'login' && Object.keys(userFields).length ? userFields : undefined;
        return { accessToken, refreshToken, expiresIn, user };
      });
    },
    salvageRefreshToken: (body) => {
      const token = isRecord(body) ? body.refreshToken : undefined;
      return typeof token == 'string' && token ? token : undefined;
    },
    readError(info) {
      const classified = classifyError?.(info) ?? defaultErrorCode(info);
      const envelope = isRecord(info.body) ? info.body : {};
      const serverCode = typeof envelope.code == 'string' ? envelope.code : undefined;
      return {
        // Only what an answer can mean: a classifier's 'auth/storage', or a string the types do not know, is plain auth/http.
        code: HTTP_CODES.includes(classified) ? classified : 'auth/http',
        serverCode,
      };
    },
    endReason: (error) => (error.serverCode?.includes('expired') ? 'expired' : 'revoked'),
  };
}

/** Reads a body as JSON; `undefined` when it is not. Never rethrows the parser's message, which can quote the body. */
export function readJson(response: Response): Promise<unknown> {
  return response.text().then(JSON.parse).catch(() => undefined);
}

/**
 * Returns the JSON of a 2xx answer. Every failure becomes an AuthError:
 * `auth/invalid_response` for a 2xx that is not JSON, and the protocol's code for any other status.
 */
export async function readAnswer(protocol: ContractProtocol, endpoint: AuthEndpoint, response: Response): Promise<unknown> {
  const body = await readJson(response);
  const { status } = response;
  if (response.ok) {
    // A logout answers 204 as often as not: only the other endpoints owe a JSON body.
    if (body === undefined && endpoint !== 'logout') throw invalidResponse('the body is not JSON.', undefined, status);
    return body ?? null;
  }
  const { code, serverCode } = protocol.readError({ endpoint, status, body: body ?? null });
  throw createAuthError(code, { status, serverCode, detail: code === 'auth/http' ? `HTTP ${status}.` : undefined });
}

/** True for failures worth retrying later: no answer, or a server-side or rate-limit status. */
export function isTransient(error: { code: AuthErrorCode; status?: number | undefined }): boolean {
  if (error.code === 'auth/network') return true;
  const status = error.status ?? 0;
  return error.code === 'auth/http' && (status >= 500 || status === 408 || status === 429);
}
