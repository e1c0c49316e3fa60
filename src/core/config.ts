export { DEFAULT_PATHS, type AuthPaths, type Credentials } from './protocol';
import { systemClock, type Clock } from './clock';
import { sameJson } from './sessionState';
import { AuthError } from './errors';
import { userSchema as defaultUserSchema, type StandardSchemaV1 } from './schemas';
import type { QueryClient } from '@tanstack/query-core';
import { resolveStorage, type StorageOption } from './storage';
import { contract, DEFAULT_PATHS, withClassifier, type AuthPaths, type AuthProtocol, type Credentials, type ErrorClassifier } from './protocol';
import { queryCoreWakeUps, type WakeUpSources } from './refreshScheduler';

/** Refresh this long before expiry by default; one minute covers a slow network and a drifting timer. */
export const DEFAULT_REFRESH_LEEWAY_MS = 60_000;
/** Login and refresh give up after this long: a request that never answers must not hold the refresh lock forever. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Options of {@link createAuthClient} (and the config props of `<AuthProvider>`).
 * Every field is optional; the defaults speak the contract (README, "The wire contract").
 */
export interface AuthClientConfig<TUserSchema extends StandardSchemaV1 = typeof defaultUserSchema, TCredentials = Credentials> {
  /** Prefix of every path, e.g. `https://api.example.com`. Default `''` (same origin). */
  baseUrl?: string;
  /**
   * The server's wire format: {@link contract} (the default), `oauth2(...)`, `mappedJson(...)`
   * or your own {@link AuthProtocol}. Its credentials type is what `login` and `useLogin` take.
   */
  protocol?: AuthProtocol<TCredentials>;
  /** Shorthand for `protocol: contract({ paths })`: the contract's endpoint paths. Not with `protocol`. */
  paths?: Partial<AuthPaths>;
  /** The fetch to use. Default: the global `fetch`, looked up at call time. */
  fetch?: typeof fetch;
  /** `credentials` of every request. Default `'same-origin'`; `'include'` for a cookie refresh on another origin. */
  credentials?: RequestCredentials;
  /** Where the session lives between page loads. Default `'memory'`. See the README for the trade-offs. */
  storage?: StorageOption;
  /** Storage key, and the name of the cross-tab channel and lock. Default `'authloop.session'`. */
  storageKey?: string;
  /** Refresh this long before the access token expires; never more than half its lifetime. Default 60 000. */
  refreshLeewayMs?: number;
  /** Send the refresh token in the body (default, or as the protocol says) or rely on an HttpOnly cookie the server set. */
  refreshTokenIn?: 'body' | 'cookie';
  /** Access tokens are not JWTs: do not decode them; expiry comes from the answer's lifetime or a 401. Default: as the protocol says, else `false`. */
  opaqueTokens?: boolean;
  /** Schemas for your server's shapes; `user` (any Standard Schema) types the user everywhere. */
  schemas?: { user?: TUserSchema };
  /** Maps a failed response to an error code, before the protocol; return `undefined` to keep the protocol's. */
  classifyError?: ErrorClassifier;
  /** The source of time and timers. Default: the system clock. */
  clock?: Clock;
  /** Share login, refresh and logout with the other tabs of this origin. Default `true`. */
  crossTab?: boolean;
  /** A QueryClient whose auth queries logout removes. `<AuthProvider>` binds its own. */
  queryClient?: QueryClient;
  /** On logout or user switch, clear the whole query cache, not just the auth queries. Default `false`. */
  clearCacheOnLogout?: boolean;
  /** Login and refresh requests fail with `auth/network` after this many ms. Default 30 000. */
  requestTimeoutMs?: number;
  /** Errors that no caller awaits: background refresh failures, storage failures. */
  onError?: (error: AuthError) => void;
  /**
   * Tells users apart, so a refresh or another tab's session for the same user keeps this
   * tab's queries. Default: the user's `id`, else `sub`, else `username`.
   */
  getUserId?: (user: StandardSchemaV1.InferOutput<TUserSchema>) => string | number | undefined;
  /** Origins besides `baseUrl`'s to which `fetch`/`useAuthFetch` attach the bearer token. Default none. */
  allowedOrigins?: readonly string[];
  /** Where "look again now" comes from. Default: React Query's `focusManager` and `onlineManager`. */
  wakeUps?: WakeUpSources;
  /** A number in [0, 1) for the backoff's jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * The session a server render already knows (a cookie session read in a Next.js layout):
   * `{ user }` starts `authenticated` from the first byte, with no token in the HTML (the
   * first request refreshes through the cookie); `null` starts signed out. Default: unknown
   * (`loading` with persistent storage or a cookie refresh).
   */
  initialSession?: { user: StandardSchemaV1.InferOutput<TUserSchema> } | null;
}

/** The default {@link AuthClientConfig.getUserId}: `id`, else `sub`, else `username`. */
export function defaultUserId(user: unknown): string | number | undefined {
  const fields = (typeof user == 'object' && user !== null ? user : {}) as Record<string, unknown>;
  const id = fields.id ?? fields.sub ?? fields.username;
  return typeof id == 'string' || typeof id == 'number' ? id : undefined;
}

/** Validates the options and fills in the defaults; an unusable option throws an `auth/invalid_config` {@link AuthError}. */
export function resolveConfig<TUserSchema extends StandardSchemaV1, TCredentials>(config: AuthClientConfig<TUserSchema, TCredentials>) {
  const baseUrl = config.baseUrl ?? '';
  const leewayMs = config.refreshLeewayMs ?? DEFAULT_REFRESH_LEEWAY_MS;
  const timeoutMs = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const userSchema = config.schemas?.user ?? defaultUserSchema;
  const paths = { ...DEFAULT_PATHS, ...config.paths };
  const protocol = config.protocol ?? (contract({ paths }) as AuthProtocol<TCredentials>);
  const storage = resolveStorage(config.storage);
  // Development builds only (bundlers drop this for production): an app that passed its
  // tests with valid options does not ship the sentences that explain invalid ones.
  if (process.env.NODE_ENV !== 'production') {
    const checks: Array<[ok: unknown, detail: string]> = [
      [typeof baseUrl == 'string', 'baseUrl must be a string.'],
      [[paths.login, paths.refresh, paths.me, paths.logout ?? '/'].every((path) => typeof path == 'string' && path), 'paths must be non-empty strings.'],
      [Number.isFinite(leewayMs) && leewayMs >= 0, 'refreshLeewayMs must be a finite number, 0 or more.'],
      [Number.isFinite(timeoutMs) && timeoutMs > 0, 'requestTimeoutMs must be a finite number above 0.'],
      [storage === null || [storage.get, storage.set, storage.remove].every((method) => typeof method == 'function'), "storage must be 'memory', 'localStorage', 'sessionStorage' or { get, set, remove }."],
      [(userSchema as object | null)?.['~standard' as never], 'schemas.user must be a Standard Schema (zod, valibot, arktype...).'],
      [typeof protocol?.readGrant == 'function', 'protocol must be an AuthProtocol.'],
      [!(config.protocol && config.paths), 'paths is for the default contract: give them to your protocol.'],
      [config.allowedOrigins === undefined || Array.isArray(config.allowedOrigins), 'allowedOrigins must be an array of origins.'],
      [!config.initialSession || config.refreshTokenIn === 'cookie' || storage !== null, "initialSession needs refreshTokenIn: 'cookie' (or persistent storage): it holds no token to refresh with."],
    ];
    for (const [ok, detail] of checks) if (!ok) throw new AuthError('auth/invalid_config', { detail });
  }
  const getUserId = (config.getUserId ?? defaultUserId) as (user: StandardSchemaV1.InferOutput<TUserSchema>) => string | number | undefined;
  // By id where the user has one, else by content: a session read back from storage or from
  // another tab is a new object even for the same user.
  const sameUser = (a: StandardSchemaV1.InferOutput<TUserSchema>, b: StandardSchemaV1.InferOutput<TUserSchema>) => {
    const id = getUserId(a);
    return a === b || (id !== undefined ? id === getUserId(b) : sameJson(a, b));
  };
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    protocol: withClassifier(protocol, config.classifyError),
    leewayMs,
    timeoutMs,
    storage,
    storageKey: config.storageKey ?? 'authloop.session',
    userSchema: userSchema as StandardSchemaV1<unknown, StandardSchemaV1.InferOutput<TUserSchema>>,
    clock: config.clock ?? systemClock,
    fetch: config.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init)),
    credentials: config.credentials ?? 'same-origin',
    refreshInCookie: (config.refreshTokenIn ?? protocol.refreshTokenIn) === 'cookie',
    opaqueTokens: config.opaqueTokens ?? protocol.opaqueTokens ?? false,
    crossTab: config.crossTab ?? true,
    getUserId,
    sameUser,
    allowedOrigins: config.allowedOrigins ?? [],
    wakeUps: config.wakeUps ?? queryCoreWakeUps,
    random: config.random ?? Math.random,
  };
}

