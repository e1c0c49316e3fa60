import { AuthError, createAuthError, invalidResponse, type AuthErrorCode } from './errors';
import type { ErrorEnvelope } from './contractSchemas';
import type { EndReason } from './sessionState';

/** The requests authloop makes itself. */
export type AuthEndpoint = 'login' | 'refresh' | 'me' | 'logout';

/** Paths of the contract's endpoints, relative to `baseUrl` (or absolute URLs). */
export interface AuthPaths {
  login: string;
  refresh: string;
  me: string;
  /**
   * Optional: where logout tells the server (POST with the refresh token in the body, or
   * with the cookie, and the bearer token). Not part of the contract; no default.
   */
  logout?: string;
}

/** The contract's paths: `/auth/login`, `/auth/refresh`, `/auth/me`. */
export const DEFAULT_PATHS: AuthPaths = { login: '/auth/login', refresh: '/auth/refresh', me: '/auth/me' };

/** What `login` and `useLogin` take with the default contract (a protocol may declare others). */
export interface Credentials {
  username: string;
  password: string;
}

/** What an error classifier and a protocol's error reader are shown: never the request, so never a token. */
export interface ErrorResponseInfo {
  endpoint: AuthEndpoint;
  status: number;
  /** The parsed JSON body, or null when it was not JSON. */
  body: unknown;
  /** The answer's headers: an RFC 6750 server says why it refused a token in `WWW-Authenticate`. */
  headers: Headers;
}

/**
 * Decides which error a failed response becomes. Return `undefined` to keep the protocol's.
 * Codes no HTTP answer can mean (`auth/storage`, `auth/invalid_config`) become `auth/http`.
 *
 * @example
 * // DummyJSON answers a wrong password with 400 { message: 'Invalid credentials' }
 * classifyError: ({ endpoint, status }) =>
 *   endpoint === 'login' && status === 400 ? 'auth/invalid_credentials' : undefined
 */
export type ErrorClassifier = (info: ErrorResponseInfo) => AuthErrorCode | undefined;

/**
 * A request the engine sends. `body` is sent as JSON, or form-encoded
 * (`application/x-www-form-urlencoded`) when it is a `URLSearchParams`; no body when absent.
 */
export interface ProtocolRequest {
  /** Relative to `baseUrl`, or an absolute URL. */
  path: string;
  /** Default `GET` for me, `POST` for the others. */
  method?: string;
  body?: unknown;
  /** Added to `Accept: application/json` (and the JSON `Content-Type`). */
  headers?: Record<string, string>;
}

/**
 * What a login or refresh answer granted, as the protocol found it in the body. The engine
 * validates it: tokens must be non-empty strings, lifetimes positive numbers.
 */
export interface Grant {
  accessToken: unknown;
  /** The new refresh token; `undefined`: the answer kept the current one. */
  refreshToken?: unknown;
  /** Lifetime of the access token in seconds, when the answer said. */
  expiresIn?: unknown;
  /** When the access token expires, in ms since the epoch on the server's clock, when the answer said. */
  expiresAt?: unknown;
  /** The user, to be validated by the user schema; `undefined`: ask me. A refresh keeps the current user. */
  user?: unknown;
}

/** A failed answer as the engine acts on it. */
export interface ProtocolError {
  code: AuthErrorCode;
  /** The server's own code for it, when it said one. */
  serverCode?: string | undefined;
  /** For a refused refresh: why the session ended, in the server's words. Default `'revoked'`. */
  endReason?: 'expired' | 'revoked' | undefined;
}

/**
 * A server's wire format: the one seam between authloop and a server it did not write.
 * Builds every request the engine sends and reads every answer. Pure mappers: no fetch,
 * no timers; the engine keeps timing, single flight, validation, errors and storage.
 * `TCredentials` is what `login` and `useLogin` take.
 *
 * @example
 * createAuthClient({ protocol: oauth2({ tokenPath: '/oauth/token', clientId: 'web', mePath: '/userinfo' }) });
 */
export interface AuthProtocol<TCredentials = Credentials> {
  /** Where the refresh token travels by default: `'cookie'` sends none (an HttpOnly cookie carries it). */
  readonly refreshTokenIn?: 'body' | 'cookie' | undefined;
  /** The access tokens are not JWTs: never decode them; expiry comes from the answer's lifetime. */
  readonly opaqueTokens?: boolean | undefined;
  /** The login request. May throw an `auth/invalid_config` {@link AuthError} for unusable credentials. */
  login(credentials: TCredentials): ProtocolRequest;
  /** The refresh request; `refreshToken` is null when a cookie carries it. */
  refresh(refreshToken: string | null): ProtocolRequest;
  /** The request for the user; the engine adds the bearer token. */
  me(): ProtocolRequest;
  /** Optional: how logout tells the server; null when it has nothing to tell. */
  logout?(tokens: { accessToken: string; refreshToken: string | null }): ProtocolRequest | null;
  /** A 2xx login or refresh answer (a JSON object): the grant, or the error it carries (a GraphQL `errors`). */
  readGrant(endpoint: 'login' | 'refresh', body: Record<string, unknown>): Grant | ProtocolError;
  /** The user in a 2xx me answer. Default: the whole body. */
  readUser?(body: unknown): unknown;
  /** A non-2xx answer of any endpoint. */
  readError(info: ErrorResponseInfo): ProtocolError;
  /** A new refresh token in a refresh answer that was refused as a whole, so the one sent is not sent again. */
  salvageRefreshToken?(body: unknown): string | undefined;
}

/** What the refresh coordinator reads through the protocol: salvage, and the end reason. */
export interface CoordinatorProtocol {
  salvageRefreshToken(body: unknown): string | undefined;
  endReason(error: AuthError): Extract<EndReason, 'expired' | 'revoked'>;
}

/** A JSON object (not an array, not null). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value == 'object' && value !== null && !Array.isArray(value);

/** The contract's rule: 401 (or the envelope's code) on login is a wrong password; 400/401/403 on refresh is a rejection; 401 elsewhere is an ended session. */
export function defaultErrorCode({ endpoint, status, body }: ErrorResponseInfo): AuthErrorCode {
  const envelopeCode = (body as ErrorEnvelope | null)?.code;
  if (endpoint === 'login' && (status === 401 || envelopeCode === 'auth/invalid_credentials')) {
    return 'auth/invalid_credentials';
  }
  if (endpoint === 'refresh' && (status === 400 || status === 401 || status === 403)) return 'auth/refresh_rejected';
  if (status === 401) return 'auth/session_expired';
  return 'auth/http';
}

/** Options of {@link contract}. */
export interface ContractOptions {
  /** Endpoint paths over {@link DEFAULT_PATHS}. */
  paths?: Partial<AuthPaths> | undefined;
}

// Fields a token answer carries beside the tokens that are not the user's.
const TOKEN_METADATA = new Set(['tokenType', 'token_type', 'scope', 'expiresAt', 'refreshExpiresIn']);

/**
 * The default protocol: the contract of the README ("The wire contract"). JSON bodies, the
 * user beside the tokens in the login answer (tokens only: the user comes from me), the
 * error envelope `{ message, code }`; a refresh refused with `auth/refresh_token_expired`
 * ends the session as `expired`, any other as `revoked`.
 *
 * @example
 * createAuthClient({ protocol: contract({ paths: { login: '/api/login' } }) });
 */
export function contract({ paths: given }: ContractOptions = {}): AuthProtocol<Credentials> {
  const paths = { ...DEFAULT_PATHS, ...given };
  const tokenBody = (refreshToken: string | null) => (refreshToken === null ? {} : { refreshToken });
  return {
    login(credentials) {
      if (typeof credentials?.username != 'string' || typeof credentials?.password != 'string') {
        throw new AuthError('auth/invalid_config', { detail: 'login needs { username, password } as strings.' });
      }
      return { path: paths.login, body: { username: credentials.username, password: credentials.password } };
    },
    refresh: (refreshToken) => ({ path: paths.refresh, body: tokenBody(refreshToken) }),
    me: () => ({ path: paths.me }),
    logout: ({ accessToken, refreshToken }) =>
      paths.logout ? { path: paths.logout, body: tokenBody(refreshToken), headers: { Authorization: `Bearer ${accessToken}` } } : null,
    readGrant(endpoint, body) {
      const { accessToken, refreshToken, expiresIn, ...userFields } = body;
      // The login's user is what the token fields leave; a login answer of tokens only (and
      // the metadata servers send beside them) asks me.
      const user = endpoint === 'login' && Object.keys(userFields).some((field) => !TOKEN_METADATA.has(field)) ? userFields : undefined;
      return { accessToken, refreshToken, expiresIn, user };
    },
    salvageRefreshToken: (body) => (isRecord(body) ? stringAt(body.refreshToken) : undefined),
    readError(info) {
      const serverCode = isRecord(info.body) ? stringAt(info.body.code) : undefined;
      return { code: defaultErrorCode(info), serverCode, endReason: serverCode === 'auth/refresh_token_expired' ? 'expired' : 'revoked' };
    },
  };
}

/** A non-empty string, or undefined. */
export const stringAt = (value: unknown): string | undefined => (typeof value == 'string' && value ? value : undefined);

/** `protocol` with `classifyError` consulted first, the shorthand of the `classifyError` option. */
export function withClassifier<TCredentials>(protocol: AuthProtocol<TCredentials>, classify: ErrorClassifier | undefined): AuthProtocol<TCredentials> {
  if (!classify) return protocol;
  // On top of the protocol rather than a copy of it: a protocol may be a class instance.
  const classified: AuthProtocol<TCredentials> = Object.create(protocol);
  classified.readError = (info) => {
    const read = protocol.readError(info);
    return { ...read, code: classify(info) ?? read.code };
  };
  return classified;
}

const HTTP_CODES: AuthErrorCode[] = [
  'auth/invalid_credentials',
  'auth/refresh_rejected',
  'auth/session_expired',
  'auth/network',
  'auth/invalid_response',
  'auth/http',
];

// The protocol's end reason of each refused refresh, kept beside the error rather than on it.
const endReasons = new WeakMap<AuthError, 'expired' | 'revoked'>();

/** The AuthError of a failed answer: only what an answer can mean (a classifier's 'auth/storage', or a string the types do not know, is plain auth/http). */
export function answerError({ code, serverCode, endReason }: ProtocolError, status: number | undefined): AuthError {
  const known = HTTP_CODES.includes(code) ? code : 'auth/http';
  const error = createAuthError(known, { status, serverCode, detail: known === 'auth/http' ? `HTTP ${status}.` : undefined });
  if (endReason) endReasons.set(error, endReason);
  return error;
}

/** The coordinator's view of a protocol: salvage, and the end reason its error reader gave. */
export function coordinatorView(protocol: AuthProtocol<unknown>): CoordinatorProtocol {
  return {
    salvageRefreshToken: (body) => protocol.salvageRefreshToken?.(body),
    endReason: (error) => endReasons.get(error) ?? 'revoked',
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
export async function readAnswer(protocol: AuthProtocol<unknown>, endpoint: AuthEndpoint, response: Response): Promise<unknown> {
  const body = await readJson(response);
  const { status, headers } = response;
  if (response.ok) {
    // A logout answers 204 as often as not: only the other endpoints owe a JSON body.
    if (body === undefined && endpoint !== 'logout') throw invalidResponse('the body is not JSON.', undefined, status);
    return body ?? null;
  }
  throw answerError(protocol.readError({ endpoint, status, body: body ?? null, headers }), status);
}

/** True for failures worth retrying later: no answer, or a server-side or rate-limit status. */
export function isTransient(error: { code: AuthErrorCode; status?: number | undefined }): boolean {
  if (error.code === 'auth/network') return true;
  const status = error.status ?? 0;
  return error.code === 'auth/http' && (status >= 500 || status === 408 || status === 429);
}
