import { sleep, systemClock } from '../core/clock';
import { assertCount, assertDuration, DEFAULT_USERS, todosOf } from './contractData';
import { bearerToken, readRefreshInput, REFRESH_COOKIE_NAME, type RefreshInput } from './requestInput';
import type {
  AuthHandlersControl,
  AuthSessionBody,
  FakeAuthServerOptions,
  FakeAuthServerSetup,
  InjectedFailure,
  RequestLogEntry,
  ResponseOverride,
  TestUser,
  TokenLifetimes,
} from './fakeAuthTypes';
import { createFlavour, FAKE_CLIENT_ID, type WireReply } from './flavours';
import { createReplies, platformResponse, type Replies } from './replies';
import { ENDPOINTS, parseCookieHeader, type FakeEndpoint } from './routes';
import { createTokenStore, type TokenClaims, type TokenPair } from './tokenStore';

// 15 minutes: short enough that tests and demos exercise refreshing.
const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

// 7 days: a typical "remember me" session length.
const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

// The directory of the contract's refresh path, `/auth/refresh`.
const DEFAULT_COOKIE_PATH = '/auth';

/** The fake auth server, free of any HTTP framework: adapters feed it requests. */
export interface FakeAuthServer {
  /**
   * Answers one request that an adapter matched to `endpoint`. `cookies` are the request's
   * cookies (default: parsed from its `Cookie` header). A response whose `type` is
   * `'error'` means "drop the connection": msw answers `HttpResponse.error()`, node:http
   * destroys the socket.
   */
  handle(endpoint: FakeEndpoint, request: Request, cookies?: Readonly<Record<string, string>>): Promise<Response>;
  /** Steers and observes this server. */
  control: AuthHandlersControl;
  /** Builds responses the way this server does (its `Date`, its response factory), for adapter routes. */
  replies: Replies;
}

type Override = { kind: 'fail'; failure: InjectedFailure } | { kind: 'respond'; resolver: ResponseOverride };

/** What a request presented, gathered (asynchronously) before any server state is read. */
type Evidence =
  | { endpoint: 'login' }
  | { endpoint: 'refresh'; input: RefreshInput; claims: TokenClaims | null }
  | { endpoint: 'me' | 'todos'; claims: TokenClaims | null };

const perEndpoint = <T>(value: () => T): Record<FakeEndpoint, T> => ({
  login: value(),
  refresh: value(),
  me: value(),
  todos: value(),
});

function checkLifetimes({ accessTokenTtl, refreshTokenTtl }: TokenLifetimes): TokenLifetimes {
  assertDuration('accessTokenTtl', accessTokenTtl, false);
  assertDuration('refreshTokenTtl', refreshTokenTtl, false);
  return { accessTokenTtl, refreshTokenTtl };
}

/**
 * Creates a realistic fake auth server that speaks the package's wire contract: signed
 * HS256 JWTs, strict refresh-token rotation with reuse detection (a reused refresh token
 * revokes its whole family), expiry on an injectable clock, counters, a request log, and
 * failure, latency and revocation controls. It has no HTTP framework: `createAuthHandlers`
 * (msw) and `startAuthServer` (node:http) are thin adapters over it, and another adapter
 * only has to route requests to {@link FakeAuthServer.handle}.
 *
 * @example
 * const server = createFakeAuthServer({ clock: createTestClock() });
 * const response = await server.handle('login', new Request('http://x/auth/login', {
 *   method: 'POST',
 *   body: JSON.stringify({ username: 'emilys', password: 'emilyspass' }),
 * }));
 */
export function createFakeAuthServer(options: FakeAuthServerOptions & FakeAuthServerSetup = {}): FakeAuthServer {
  const clock = options.clock ?? systemClock;
  const flavour = createFlavour(options.flavour ?? 'contract', {
    invalidCredentials: options.invalidCredentials ?? 'contract',
    clientId: options.clientId ?? FAKE_CLIENT_ID,
    clientSecret: options.clientSecret,
  });
  const refreshTokenFrom = options.refreshTokenFrom ?? flavour.refreshTokenFrom;
  const users: readonly TestUser[] = (options.users ?? DEFAULT_USERS).map((user) => ({ ...user }));
  const configuredLifetimes = checkLifetimes({
    accessTokenTtl: options.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtl: options.refreshTokenTtl ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  });
  const cookieAttributes = `HttpOnly; Path=${options.cookiePath ?? DEFAULT_COOKIE_PATH}; SameSite=Strict`;
  const replies = createReplies({
    clock,
    dateHeader: options.dateHeader ?? true,
    createResponse: options.createResponse ?? platformResponse,
  });

  let lifetimes = configuredLifetimes;
  const tokens = createTokenStore({
    clock,
    users,
    lifetimes: () => lifetimes,
    refreshedIat: options.refreshedIat ?? 'now',
    opaque: flavour.opaqueTokens,
  });
  let counters = perEndpoint(() => 0);
  let overrides = perEndpoint((): Override[] => []);
  let latency = perEndpoint(() => 0);
  let responseDelay = perEndpoint(() => 0);
  let log: RequestLogEntry[] = [];

  function startSession(user: TestUser): AuthSessionBody {
    const { id, username, email, firstName, lastName, gender, image } = user;
    return { id, username, email, firstName, lastName, gender, image, ...tokens.startSession(user) };
  }

  const send = ({ status, body, headers }: WireReply): Response => replies.json(body, status, headers);

  function grant(pair: TokenPair, user: TestUser | null): Response {
    const body = flavour.granted(pair, lifetimes.accessTokenTtl, user);
    if (refreshTokenFrom === 'body') return replies.json(body, 200, flavour.tokenHeaders);
    return replies.json(body, 200, { ...flavour.tokenHeaders, 'Set-Cookie': `${REFRESH_COOKIE_NAME}=${pair.refreshToken}; ${cookieAttributes}` });
  }

  async function gatherEvidence(
    endpoint: FakeEndpoint,
    request: Request,
    cookies: Readonly<Record<string, string>>,
  ): Promise<Evidence> {
    if (endpoint === 'login') return { endpoint };
    if (endpoint === 'refresh') {
      const input = await readRefreshInput(request, cookies, refreshTokenFrom, flavour);
      return { endpoint, input, claims: input.kind === 'token' ? tokens.readClaims(input.token) : null };
    }
    return { endpoint, claims: tokens.readClaims(bearerToken(request)) };
  }

  async function login(request: Request): Promise<Response> {
    const read = await flavour.readLogin(request);
    if ('reply' in read) return send(read.reply);
    const user = users.find(read.matches);
    if (user === undefined) return send(flavour.fail('invalidCredentials'));
    return grant(tokens.startSession(user), user);
  }

  // Synchronous on purpose: the verdict is acted on before yielding, so two concurrent
  // refreshes with one token cannot both see it unspent.
  function refresh(input: RefreshInput, claims: TokenClaims | null): Response {
    if (input.kind === 'refused') return send(input.reply);
    const verdict = tokens.judgeRefresh(claims);
    switch (verdict.kind) {
      case 'invalid':
        return send(flavour.fail('refreshTokenInvalid'));
      case 'expired':
        return send(flavour.fail('refreshTokenExpired'));
      case 'reused':
        tokens.revokeFamily(verdict.claims.fam);
        return send(flavour.fail('refreshTokenReused'));
      case 'ok':
        return grant(tokens.rotate(verdict), null);
    }
  }

  function protectedResource(endpoint: 'me' | 'todos', claims: TokenClaims | null): Response {
    const verdict = tokens.judgeAccess(claims);
    if (verdict.kind === 'expired') return send(flavour.fail('tokenExpired'));
    if (verdict.kind === 'unauthorized') return send(flavour.fail('unauthorized'));
    return replies.json(endpoint === 'todos' ? todosOf(verdict.user) : flavour.profile(verdict.user));
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
    routed: FakeEndpoint,
    request: Request,
    cookies: Readonly<Record<string, string>> = parseCookieHeader(request.headers.get('Cookie')),
  ): Promise<Response> {
    // One token endpoint for login and refresh (OAuth 2.0): the body says which.
    const endpoint = flavour.route && (routed === 'login' || routed === 'refresh') ? await flavour.route(request.clone()) : routed;
    counters[endpoint] += 1;
    // Taken on arrival, so queued failures apply in the order requests reach the server.
    const override = overrides[endpoint].shift();
    if (latency[endpoint] > 0) await sleep(clock, latency[endpoint]);

    const evidence = await gatherEvidence(endpoint, request.clone(), cookies);
    // Read before responding: answering a refresh spends its token.
    const usedExpiredAccessToken =
      (evidence.endpoint === 'me' || evidence.endpoint === 'todos') &&
      evidence.claims?.typ === 'access' &&
      tokens.isExpired(evidence.claims);
    const usedSpentRefreshToken =
      evidence.endpoint === 'refresh' && evidence.claims !== null && tokens.isSpent(evidence.claims);
    const at = clock.now();

    let response: Response;
    if (override?.kind === 'fail') response = replies.failure(override.failure);
    else if (override?.kind === 'respond') response = replies.stamp(await override.resolver(request));
    else response = await respond(evidence, request);

    log.push({ endpoint, at, status: response.status, usedExpiredAccessToken, usedSpentRefreshToken });
    if (responseDelay[endpoint] > 0) await sleep(clock, responseDelay[endpoint]);
    return response;
  }

  function enqueue(endpoint: FakeEndpoint, count: number, override: Override): void {
    assertCount(count);
    for (let i = 0; i < count; i++) overrides[endpoint].push(override);
  }

  function setDelay(table: Record<FakeEndpoint, number>, name: string, endpoint: FakeEndpoint | 'all', ms: number): void {
    assertDuration(name, ms, true);
    for (const target of endpoint === 'all' ? ENDPOINTS : [endpoint]) table[target] = ms;
  }

  const control: AuthHandlersControl = {
    failNext(endpoint, count, failure) {
      enqueue(endpoint, count, { kind: 'fail', failure });
    },
    respondNext(endpoint, count, resolver) {
      enqueue(endpoint, count, { kind: 'respond', resolver });
    },
    setLatency(endpoint, ms) {
      setDelay(latency, 'latency', endpoint, ms);
    },
    setResponseDelay(endpoint, ms) {
      setDelay(responseDelay, 'responseDelay', endpoint, ms);
    },
    setLifetimes(next) {
      lifetimes = checkLifetimes({
        accessTokenTtl: next.accessTokenTtl ?? lifetimes.accessTokenTtl,
        refreshTokenTtl: next.refreshTokenTtl ?? lifetimes.refreshTokenTtl,
      });
    },
    counts: () => ({ ...counters }),
    requests: () => log.map((entry) => ({ ...entry })),
    expiredAccessTokenRequests: () => log.filter((entry) => entry.usedExpiredAccessToken).length,
    spentRefreshTokenRequests: () => log.filter((entry) => entry.usedSpentRefreshToken).length,
    issueSession(username) {
      const user = users.find((candidate) => candidate.username === username);
      if (user === undefined) return Promise.reject(new Error(`Unknown test user: ${username}`));
      return Promise.resolve(startSession(user));
    },
    revokeAll() {
      tokens.revokeAll();
    },
    reset() {
      counters = perEndpoint(() => 0);
      overrides = perEndpoint((): Override[] => []);
      latency = perEndpoint(() => 0);
      responseDelay = perEndpoint(() => 0);
      lifetimes = configuredLifetimes;
      log = [];
    },
  };

  return { handle, control, replies };
}
