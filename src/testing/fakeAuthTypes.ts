import type { Clock } from '../core/clock';
import type { FakeFlavour } from './flavours';
import type { FakeEndpoint } from './routes';

/** A user the fake server knows. `role` is an extra field `/auth/me` returns (default `'user'`). */
export interface TestUser {
  id: number;
  username: string;
  password: string;
  email: string;
  firstName: string;
  lastName: string;
  gender: string;
  image: string;
  role?: string;
}

/** What an injected failure looks like: a dropped connection, or an HTTP error response. */
export type InjectedFailure =
  | 'network'
  | {
      status: number;
      /** JSON body, or the raw text body when `contentType` is given. */
      body?: unknown;
      /** Send `body` as raw text with this content type (e.g. an HTML page from a proxy). */
      contentType?: string;
    };

/**
 * Produces a response in place of the fake server's own. A response whose `type` is
 * `'error'` (`Response.error()`, msw's `HttpResponse.error()`) drops the connection.
 */
export type ResponseOverride = (request: Request) => Response | Promise<Response>;

/** The body of a successful login (and of {@link AuthHandlersControl.issueSession}). */
export interface AuthSessionBody {
  id: number;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  gender: string;
  image: string;
  accessToken: string;
  refreshToken: string;
}

/** One request the fake server answered. Holds no token strings. */
export interface RequestLogEntry {
  endpoint: FakeEndpoint;
  /**
   * Server time (ms since the epoch) at which the request was handled: after any
   * `setLatency` delay, before any `setResponseDelay` one.
   */
  at: number;
  /** HTTP status sent; `0` for an injected network error. */
  status: number;
  /** A `me`/`todos` request carried a genuine access token that had expired. */
  usedExpiredAccessToken: boolean;
  /** A `refresh` request carried a genuine refresh token that had already been used. */
  usedSpentRefreshToken: boolean;
}

/** Token lifetimes in seconds; fractions are allowed (`4`, `2.5`). */
export interface TokenLifetimes {
  accessTokenTtl: number;
  refreshTokenTtl: number;
}

/** Lets a test steer and observe the fake server, whichever adapter serves it. */
export interface AuthHandlersControl {
  /** The next `count` requests to `endpoint` fail with `failure`. They are still counted. */
  failNext(endpoint: FakeEndpoint, count: number, failure: InjectedFailure): void;
  /** The next `count` requests to `endpoint` are answered by `resolver` instead. */
  respondNext(endpoint: FakeEndpoint, count: number, resolver: ResponseOverride): void;
  /**
   * Delays handling of requests to `endpoint` (or every endpoint) by `ms` on the server
   * clock: the request waits, then the server reads the clock, so tokens are stamped
   * (`iat`) at the end of the wait. See {@link AuthHandlersControl.setResponseDelay} for
   * the other order.
   */
  setLatency(endpoint: FakeEndpoint | 'all', ms: number): void;
  /**
   * Delays answers from `endpoint` (or every endpoint) by `ms` on the server clock after
   * the server has handled the request: tokens are stamped, the refresh token is spent and
   * the `Date` header is set when the request arrives, and the answer reaches the client
   * `ms` later. Adds to {@link AuthHandlersControl.setLatency}.
   */
  setResponseDelay(endpoint: FakeEndpoint | 'all', ms: number): void;
  /**
   * Changes the lifetimes of tokens issued from now on; tokens already issued keep theirs.
   * `reset()` restores the configured ones.
   */
  setLifetimes(lifetimes: Partial<TokenLifetimes>): void;
  /** Requests received per endpoint, including failed and still-pending ones. */
  counts(): Record<FakeEndpoint, number>;
  /** Handled requests, oldest first; one held by a response delay is listed once handled. */
  requests(): RequestLogEntry[];
  /** How many `me`/`todos` requests carried an access token already expired at the server. */
  expiredAccessTokenRequests(): number;
  /** How many `refresh` requests carried a refresh token that had already been spent. */
  spentRefreshTokenRequests(): number;
  /** Starts a session for `username` as a login would, without a request being counted. */
  issueSession(username: string): Promise<AuthSessionBody>;
  /** Server-side logout everywhere: every token issued so far stops working. */
  revokeAll(): void;
  /**
   * Clears counters, the request log, queued failures/overrides, latency and response
   * delays, and restores the configured token lifetimes. Keeps users and sessions.
   */
  reset(): void;
}

/**
 * Builds a response from a body and an init. The msw adapter passes msw's `HttpResponse`,
 * whose `Set-Cookie` survives in the browser (where the Fetch spec makes `new Response`
 * drop it) and reaches msw's cookie jar.
 */
export type ResponseFactory = (body: string | Uint8Array<ArrayBuffer> | null, init: { status: number; headers: Headers }) => Response;

/**
 * Options of the fake server, shared by {@link createFakeAuthServer}, `createAuthHandlers`
 * (msw) and `startAuthServer` (node:http). Every field is optional.
 */
export interface FakeAuthServerOptions {
  /** Access token lifetime in seconds; fractions allowed. Default 900 (15 minutes). */
  accessTokenTtl?: number;
  /** Refresh token lifetime in seconds; fractions allowed. Default 7 days. */
  refreshTokenTtl?: number;
  /** The accounts that can log in. */
  users?: readonly TestUser[];
  /** The server's clock: token `iat`/`exp`, expiry checks, delays and `Date` all use it. */
  clock?: Clock;
  /**
   * The wire format (`FakeFlavour`): `'contract'` (default), `'oauth2'`, `'mapped-json'` or
   * `'mapped-json-data'`. Each has its own default paths, bodies, errors and tokens, and
   * the same users, strict rotation and reuse detection.
   */
  flavour?: FakeFlavour;
  /** With the `'contract'` flavour: `'contract'`: 401 with a `code`; `'dummyjson'`: 400 with only a `message`. */
  invalidCredentials?: 'contract' | 'dummyjson';
  /**
   * Where the refresh endpoint reads the refresh token; anything but `'body'` also sets a
   * cookie. Default `'either'` for the contract, `'body'` for the other flavours.
   */
  refreshTokenFrom?: 'body' | 'cookie' | 'either';
  /** The client id the `'oauth2'` and `'mapped-json-data'` flavours accept. Default `'authloop-test'`. */
  clientId?: string;
  /** With the `'oauth2'` flavour: a confidential client, authenticated by HTTP Basic with this secret. Default none: a public client sending `client_id`. */
  clientSecret?: string;
  /**
   * Send a `Date` header (RFC 9110 §6.6.1, IMF-fixdate, whole seconds) from the server
   * clock on every response, as real origin servers do. Default `true`.
   */
  dateHeader?: boolean;
  /**
   * The `iat` of tokens issued by a refresh. `'now'` (default): the time of the refresh.
   * `'refresh-token'`: the quirk of servers that copy the refresh token's `iat`, which is
   * the family's login time; `exp` stays now + lifetime, so `exp - iat` of a refreshed
   * token overstates its lifetime by the session's age.
   */
  refreshedIat?: 'now' | 'refresh-token';
}

/** Adapter-side settings of {@link createFakeAuthServer}, beyond the shared options. */
export interface FakeAuthServerSetup {
  /** `Path` attribute of the refresh-token cookie: the directory of the refresh URL. Default `'/auth'`. */
  cookiePath?: string;
  /** How responses are built. Default: `new Response`. */
  createResponse?: ResponseFactory;
}
