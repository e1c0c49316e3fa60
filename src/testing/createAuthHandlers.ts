import { http, HttpResponse, type HttpHandler } from 'msw';
import { sleep, systemClock, type Clock } from '../core/clock';
import { createHmacKey, randomId, signJwt, verifyJwt, type JwtPayload } from './jwt';

/** The endpoints the fake server implements. */
export type FakeEndpoint = 'login' | 'refresh' | 'me' | 'todos';

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

/** Produces a response in place of the fake server's own. */
export type ResponseOverride = (request: Request) => Response | Promise<Response>;

/** Options for {@link createAuthHandlers}. Every field is optional. */
export interface AuthHandlersOptions {
  /** Origin (and optional path prefix) the handlers match; `''` matches relative paths. */
  baseUrl?: string;
  /** Path of each endpoint, appended to `baseUrl`. */
  paths?: Partial<Record<FakeEndpoint, string>>;
  /** Access token lifetime in seconds. */
  accessTokenTtl?: number;
  /** Refresh token lifetime in seconds. */
  refreshTokenTtl?: number;
  /** The accounts that can log in. */
  users?: readonly TestUser[];
  /** The server's clock: token `iat`/`exp`, expiry checks and latency all use it. */
  clock?: Clock;
  /** `'contract'`: 401 with a `code`; `'dummyjson'`: 400 with only a `message`. */
  invalidCredentials?: 'contract' | 'dummyjson';
  /** Where `/auth/refresh` reads the refresh token; anything but `'body'` also sets a cookie. */
  refreshTokenFrom?: 'body' | 'cookie' | 'either';
}

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
  /** Server time (ms since the epoch) at which the request was answered. */
  at: number;
  /** HTTP status sent; `0` for an injected network error. */
  status: number;
  /** A `me`/`todos` request carried a genuine access token that had expired. */
  usedExpiredAccessToken: boolean;
  /** A `refresh` request carried a genuine refresh token that had already been used. */
  usedSpentRefreshToken: boolean;
}

/** Lets a test steer and observe the fake server. */
export interface AuthHandlersControl {
  /** The next `count` requests to `endpoint` fail with `failure`. They are still counted. */
  failNext(endpoint: FakeEndpoint, count: number, failure: InjectedFailure): void;
  /** The next `count` requests to `endpoint` are answered by `resolver` instead. */
  respondNext(endpoint: FakeEndpoint, count: number, resolver: ResponseOverride): void;
  /** Delays answers to `endpoint` (or every endpoint) by `ms` on the server clock. */
  setLatency(endpoint: FakeEndpoint | 'all', ms: number): void;
  /** Requests received per endpoint, including failed and still-pending ones. */
  counts(): Record<FakeEndpoint, number>;
  /** Answered requests, oldest first. */
  requests(): RequestLogEntry[];
  /** How many `me`/`todos` requests carried an access token already expired at the server. */
  expiredAccessTokenRequests(): number;
  /** Starts a session for `username` as a login would, without a request being counted. */
  issueSession(username: string): Promise<AuthSessionBody>;
  /** Server-side logout everywhere: every token issued so far stops working. */
  revokeAll(): void;
  /** Clears counters, the request log, queued failures/overrides and latency. Keeps users and sessions. */
  reset(): void;
}

/** What {@link createAuthHandlers} returns. */
export interface AuthHandlers {
  /** Pass to `setupServer(...handlers)` or `setupWorker(...handlers)`. */
  handlers: HttpHandler[];
  control: AuthHandlersControl;
  /** The URL each handler matches. */
  urls: Record<FakeEndpoint, string>;
}

const ENDPOINTS: readonly FakeEndpoint[] = ['login', 'refresh', 'me', 'todos'];

// Absolute so the handlers match in Node, where there is no page origin to resolve against.
const DEFAULT_BASE_URL = 'http://localhost';

// The paths of the wire contract (CONTRACT.md), plus a protected data endpoint for demos.
const DEFAULT_PATHS: Readonly<Record<FakeEndpoint, string>> = {
  login: '/auth/login',
  refresh: '/auth/refresh',
  me: '/auth/me',
  todos: '/api/todos',
};

// 15 minutes: short enough that tests and demos exercise refreshing.
const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

// 7 days: a typical "remember me" session length.
const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

// JWT times are in seconds; the clock is in milliseconds.
const MS_PER_SECOND = 1000;

// Cookie name the refresh token travels in when the server uses cookies.
const REFRESH_COOKIE_NAME = 'refreshToken';

// Todo ids are `userId * stride + n`, so ids never collide across users.
const TODO_ID_STRIDE = 100;

// The Fetch spec forbids a body on these statuses; `new Response(body, …)` throws.
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

// Body of an injected status failure when the test gives none.
const DEFAULT_FAILURE_BODY = { message: 'Injected failure' };

// Role `/auth/me` reports when a user has none; an extra field that tests schema passthrough.
const DEFAULT_ROLE = 'user';

const DEFAULT_USERS: readonly TestUser[] = [
  {
    id: 1,
    username: 'emilys',
    password: 'emilyspass',
    email: 'emily.johnson@x.example',
    firstName: 'Emily',
    lastName: 'Johnson',
    gender: 'female',
    image: 'https://example.test/image/200?text=User+1',
    role: 'admin',
  },
  {
    id: 2,
    username: 'michaelw',
    password: 'michaelwpass',
    email: 'michael.williams@x.example',
    firstName: 'Michael',
    lastName: 'Williams',
    gender: 'male',
    image: 'https://example.test/image/200?text=User+2',
    role: 'user',
  },
];

interface ErrorEnvelope {
  message: string;
  code?: string;
}

const ERRORS = {
  invalidCredentials: { message: 'Invalid credentials', code: 'auth/invalid_credentials' },
  invalidJson: { message: 'Request body is not valid JSON', code: 'auth/bad_request' },
  credentialsRequired: { message: 'Username and password required', code: 'auth/bad_request' },
  refreshTokenRequired: { message: 'Refresh token required', code: 'auth/bad_request' },
  refreshTokenReused: { message: 'Refresh token reused', code: 'auth/refresh_token_reused' },
  refreshTokenExpired: { message: 'Refresh token expired', code: 'auth/refresh_token_expired' },
  refreshTokenInvalid: { message: 'Invalid refresh token', code: 'auth/refresh_token_invalid' },
  unauthorized: { message: 'Unauthorized', code: 'auth/unauthorized' },
  tokenExpired: { message: 'Token expired', code: 'auth/token_expired' },
} as const satisfies Record<string, ErrorEnvelope>;

type TokenType = 'access' | 'refresh';

interface TokenClaims {
  sub: string;
  username: string;
  iat: number;
  exp: number;
  jti: string;
  typ: TokenType;
  /** Family: every token descending from one login shares it. */
  fam: string;
}

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

type Override =
  | { kind: 'fail'; failure: InjectedFailure }
  | { kind: 'respond'; resolver: ResponseOverride };

type RefreshInput = { kind: 'token'; token: string } | { kind: 'bad_request'; error: ErrorEnvelope };

/** What a request presented, gathered (asynchronously) before any server state is read. */
type Evidence =
  | { endpoint: 'login' }
  | { endpoint: 'refresh'; input: RefreshInput; claims: TokenClaims | null }
  | { endpoint: 'me' | 'todos'; token: string | null; claims: TokenClaims | null };

type RefreshVerdict =
  | { kind: 'ok'; user: TestUser; claims: TokenClaims; record: RefreshRecord }
  | { kind: 'reused'; claims: TokenClaims }
  | { kind: 'expired' }
  | { kind: 'invalid' };

type AccessVerdict = { kind: 'ok'; user: TestUser } | { kind: 'expired' } | { kind: 'unauthorized' };

interface RefreshRecord {
  spent: boolean;
}

interface FamilyRecord {
  revoked: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toClaims(payload: JwtPayload | null): TokenClaims | null {
  if (payload === null) return null;
  const { sub, username, iat, exp, jti, typ, fam } = payload;
  if (
    typeof sub !== 'string' ||
    typeof username !== 'string' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string' ||
    (typ !== 'access' && typ !== 'refresh') ||
    typeof fam !== 'string'
  ) {
    return null;
  }
  return { sub, username, iat, exp, jti, typ, fam };
}

function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

/** The directory of the refresh URL's path, so the browser sends the cookie to it. */
function refreshCookiePath(refreshUrl: string): string {
  const path = /^[a-z][a-z\d+.-]*:\/\//i.test(refreshUrl) ? new URL(refreshUrl).pathname : refreshUrl;
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

function bearerToken(request: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('Authorization') ?? '');
  return match?.[1] ?? null;
}

function assertCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
}

function assertDuration(name: string, value: number, allowZero: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`);
  }
}

function errorResponse(status: number, error: ErrorEnvelope): Response {
  return HttpResponse.json(error, { status });
}

function failureResponse(failure: InjectedFailure): Response {
  if (failure === 'network') return HttpResponse.error();
  const { status, body, contentType } = failure;
  if (NULL_BODY_STATUSES.has(status)) return new HttpResponse(null, { status });
  if (contentType !== undefined) {
    const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
    return new HttpResponse(text, { status, headers: { 'Content-Type': contentType } });
  }
  return HttpResponse.json(body === undefined ? DEFAULT_FAILURE_BODY : body, { status });
}

function todosFor(user: TestUser) {
  return [
    { id: user.id * TODO_ID_STRIDE + 1, todo: `${user.firstName}'s first todo`, completed: false, userId: user.id },
    { id: user.id * TODO_ID_STRIDE + 2, todo: `${user.firstName}'s second todo`, completed: true, userId: user.id },
  ];
}

function emptyCounts(): Record<FakeEndpoint, number> {
  return { login: 0, refresh: 0, me: 0, todos: 0 };
}

function emptyQueues(): Record<FakeEndpoint, Override[]> {
  return { login: [], refresh: [], me: [], todos: [] };
}

/**
 * Creates msw v2 handlers for a realistic fake auth server that speaks the package's wire
 * contract: signed HS256 JWTs, strict refresh-token rotation with reuse detection, expiry
 * on an injectable clock, and a `control` object to inject failures, latency and
 * revocations and to observe traffic. Runs in Node and in the browser.
 *
 * @example
 * const clock = createTestClock();
 * const { handlers, control } = createAuthHandlers({ clock });
 * const server = setupServer(...handlers);
 * server.listen();
 * control.failNext('refresh', 1, 'network');
 * await clock.advance(15 * 60_000); // access tokens issued before now have expired
 */
export function createAuthHandlers(options: AuthHandlersOptions = {}): AuthHandlers {
  const clock = options.clock ?? systemClock;
  const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
  const paths = { ...DEFAULT_PATHS, ...options.paths };
  const accessTtl = options.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
  const refreshTtl = options.refreshTokenTtl ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS;
  const credentialsStyle = options.invalidCredentials ?? 'contract';
  const refreshTokenFrom = options.refreshTokenFrom ?? 'either';
  const users: readonly TestUser[] = (options.users ?? DEFAULT_USERS).map((user) => ({ ...user }));
  assertDuration('accessTokenTtl', accessTtl, false);
  assertDuration('refreshTokenTtl', refreshTtl, false);

  const urls: Record<FakeEndpoint, string> = {
    login: joinUrl(baseUrl, paths.login),
    refresh: joinUrl(baseUrl, paths.refresh),
    me: joinUrl(baseUrl, paths.me),
    todos: joinUrl(baseUrl, paths.todos),
  };
  const cookieAttributes = `HttpOnly; Path=${refreshCookiePath(urls.refresh)}; SameSite=Strict`;

  // Created lazily on first use so constructing handlers stays synchronous.
  const key = createHmacKey();

  const families = new Map<string, FamilyRecord>();
  const refreshTokens = new Map<string, RefreshRecord>();
  let counters = emptyCounts();
  let overrides = emptyQueues();
  let latency = emptyCounts();
  let log: RequestLogEntry[] = [];

  const nowSeconds = (): number => Math.floor(clock.now() / MS_PER_SECOND);
  const isExpired = (claims: TokenClaims): boolean => clock.now() >= claims.exp * MS_PER_SECOND;
  const userFor = (claims: TokenClaims): TestUser | undefined =>
    users.find((user) => String(user.id) === claims.sub && user.username === claims.username);

  function readClaims(token: string | null): TokenClaims | null {
    return token === null ? null : toClaims(verifyJwt(token, key));
  }

  function issueTokens(user: TestUser, family: string): TokenPair {
    const iat = nowSeconds();
    const refreshJti = randomId();
    refreshTokens.set(refreshJti, { spent: false });
    const common = { sub: String(user.id), username: user.username, iat };
    return {
      accessToken: signJwt({ ...common, exp: iat + accessTtl, jti: randomId(), typ: 'access', fam: family }, key),
      refreshToken: signJwt({ ...common, exp: iat + refreshTtl, jti: refreshJti, typ: 'refresh', fam: family }, key),
    };
  }

  function startSession(user: TestUser): AuthSessionBody {
    const family = randomId();
    families.set(family, { revoked: false });
    const tokens = issueTokens(user, family);
    const { id, username, email, firstName, lastName, gender, image } = user;
    return { id, username, email, firstName, lastName, gender, image, ...tokens };
  }

  function withRefreshCookie(body: { refreshToken: string }): Response {
    if (refreshTokenFrom === 'body') return HttpResponse.json(body);
    return HttpResponse.json(body, {
      headers: { 'Set-Cookie': `${REFRESH_COOKIE_NAME}=${body.refreshToken}; ${cookieAttributes}` },
    });
  }

  async function readRefreshInput(request: Request, cookies: Record<string, string>): Promise<RefreshInput> {
    if (refreshTokenFrom !== 'cookie') {
      const text = await request.text();
      if (text.trim() !== '') {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return { kind: 'bad_request', error: ERRORS.invalidJson };
        }
        const token = isRecord(body) ? body.refreshToken : undefined;
        if (typeof token === 'string' && token !== '') return { kind: 'token', token };
        if (token !== undefined) return { kind: 'bad_request', error: ERRORS.refreshTokenRequired };
      }
    }
    if (refreshTokenFrom !== 'body') {
      const token = cookies[REFRESH_COOKIE_NAME];
      if (token) return { kind: 'token', token };
    }
    return { kind: 'bad_request', error: ERRORS.refreshTokenRequired };
  }

  async function gatherEvidence(
    endpoint: FakeEndpoint,
    request: Request,
    cookies: Record<string, string>,
  ): Promise<Evidence> {
    if (endpoint === 'login') return { endpoint };
    if (endpoint === 'refresh') {
      const input = await readRefreshInput(request, cookies);
      const claims = input.kind === 'token' ? readClaims(input.token) : null;
      return { endpoint, input, claims };
    }
    const token = bearerToken(request);
    return { endpoint, token, claims: readClaims(token) };
  }

  // Synchronous on purpose: the caller acts on the verdict before yielding, so two
  // concurrent refreshes with one token cannot both see it unspent.
  function judgeRefresh(claims: TokenClaims | null): RefreshVerdict {
    if (claims === null || claims.typ !== 'refresh') return { kind: 'invalid' };
    if (isExpired(claims)) return { kind: 'expired' };
    const record = refreshTokens.get(claims.jti);
    if (record === undefined) return { kind: 'invalid' };
    if (record.spent) return { kind: 'reused', claims };
    const user = userFor(claims);
    if (families.get(claims.fam)?.revoked !== false || user === undefined) return { kind: 'invalid' };
    return { kind: 'ok', user, claims, record };
  }

  function judgeAccess(claims: TokenClaims | null): AccessVerdict {
    if (claims === null || claims.typ !== 'access') return { kind: 'unauthorized' };
    if (isExpired(claims)) return { kind: 'expired' };
    const user = userFor(claims);
    if (families.get(claims.fam)?.revoked !== false || user === undefined) return { kind: 'unauthorized' };
    return { kind: 'ok', user };
  }

  async function login(request: Request): Promise<Response> {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return errorResponse(400, ERRORS.invalidJson);
    }
    if (!isRecord(body) || typeof body.username !== 'string' || typeof body.password !== 'string') {
      return errorResponse(400, ERRORS.credentialsRequired);
    }
    const { username, password } = body;
    const user = users.find((candidate) => candidate.username === username && candidate.password === password);
    if (user === undefined) {
      return credentialsStyle === 'dummyjson'
        ? errorResponse(400, { message: ERRORS.invalidCredentials.message })
        : errorResponse(401, ERRORS.invalidCredentials);
    }
    return withRefreshCookie(startSession(user));
  }

  async function refresh(input: RefreshInput, claims: TokenClaims | null): Promise<Response> {
    if (input.kind === 'bad_request') return errorResponse(400, input.error);
    const verdict = judgeRefresh(claims);
    switch (verdict.kind) {
      case 'invalid':
        return errorResponse(401, ERRORS.refreshTokenInvalid);
      case 'expired':
        return errorResponse(401, ERRORS.refreshTokenExpired);
      case 'reused': {
        const family = families.get(verdict.claims.fam);
        if (family) family.revoked = true;
        return errorResponse(401, ERRORS.refreshTokenReused);
      }
      case 'ok':
        verdict.record.spent = true;
        return withRefreshCookie(issueTokens(verdict.user, verdict.claims.fam));
    }
  }

  function protectedResource(endpoint: 'me' | 'todos', claims: TokenClaims | null): Response {
    const verdict = judgeAccess(claims);
    if (verdict.kind === 'expired') return errorResponse(401, ERRORS.tokenExpired);
    if (verdict.kind === 'unauthorized') return errorResponse(401, ERRORS.unauthorized);
    if (endpoint === 'todos') return HttpResponse.json({ todos: todosFor(verdict.user) });
    const { id, username, email, firstName, lastName, role } = verdict.user;
    return HttpResponse.json({ id, username, email, firstName, lastName, role: role ?? DEFAULT_ROLE });
  }

  function respond(evidence: Evidence, request: Request): Promise<Response> | Response {
    switch (evidence.endpoint) {
      case 'login':
        return login(request);
      case 'refresh':
        return refresh(evidence.input, evidence.claims);
      case 'me':
      case 'todos':
        return protectedResource(evidence.endpoint, evidence.claims);
    }
  }

  async function handle(
    endpoint: FakeEndpoint,
    request: Request,
    cookies: Record<string, string>,
  ): Promise<Response> {
    counters[endpoint] += 1;
    // Taken on arrival, so queued failures apply in the order requests reach the server.
    const override = overrides[endpoint].shift();
    if (latency[endpoint] > 0) await sleep(clock, latency[endpoint]);

    const evidence = await gatherEvidence(endpoint, request.clone(), cookies);
    // Read before responding: answering a refresh spends its token.
    const usedExpiredAccessToken =
      evidence.endpoint !== 'login' &&
      evidence.endpoint !== 'refresh' &&
      evidence.claims?.typ === 'access' &&
      isExpired(evidence.claims);
    const usedSpentRefreshToken =
      evidence.endpoint === 'refresh' &&
      evidence.claims?.typ === 'refresh' &&
      refreshTokens.get(evidence.claims.jti)?.spent === true;
    const at = clock.now();

    let response: Response;
    if (override?.kind === 'fail') response = failureResponse(override.failure);
    else if (override?.kind === 'respond') response = await override.resolver(request);
    else response = await respond(evidence, request);

    log.push({ endpoint, at, status: response.status, usedExpiredAccessToken, usedSpentRefreshToken });
    return response;
  }

  const handlers: HttpHandler[] = ENDPOINTS.map((endpoint) => {
    const route = endpoint === 'login' || endpoint === 'refresh' ? http.post : http.get;
    return route(urls[endpoint], ({ request, cookies }) => handle(endpoint, request, cookies));
  });

  function enqueue(endpoint: FakeEndpoint, count: number, override: Override): void {
    assertCount(count);
    for (let i = 0; i < count; i++) overrides[endpoint].push(override);
  }

  const control: AuthHandlersControl = {
    failNext(endpoint, count, failure) {
      enqueue(endpoint, count, { kind: 'fail', failure });
    },
    respondNext(endpoint, count, resolver) {
      enqueue(endpoint, count, { kind: 'respond', resolver });
    },
    setLatency(endpoint, ms) {
      assertDuration('latency', ms, true);
      for (const target of endpoint === 'all' ? ENDPOINTS : [endpoint]) latency[target] = ms;
    },
    counts: () => ({ ...counters }),
    requests: () => log.map((entry) => ({ ...entry })),
    expiredAccessTokenRequests: () => log.filter((entry) => entry.usedExpiredAccessToken).length,
    issueSession(username) {
      const user = users.find((candidate) => candidate.username === username);
      if (user === undefined) return Promise.reject(new Error(`Unknown test user: ${username}`));
      return Promise.resolve(startSession(user));
    },
    revokeAll() {
      for (const family of families.values()) family.revoked = true;
    },
    reset() {
      counters = emptyCounts();
      overrides = emptyQueues();
      latency = emptyCounts();
      log = [];
    },
  };

  return { handlers, control, urls };
}
