// @vitest-environment node
import { jwtDecode, type JwtHeader } from 'jwt-decode';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuthHandlers,
  type FakeEndpoint,
  type AuthHandlersOptions,
  type AuthSessionBody,
} from '../../src/testing/createAuthHandlers';
import { createTestClock, type TestClock } from '../../src/testing/createTestClock';
import { base64UrlEncode } from '../../src/testing/jwt';

interface Claims {
  sub: string;
  username: string;
  iat: number;
  exp: number;
  jti: string;
  typ: string;
  fam: string;
}

interface TodosBody {
  todos: { id: number; todo: string; completed: boolean; userId: number }[];
}

// Contract defaults, restated here so a change to them is a visible test change.
const ACCESS_TTL_SECONDS = 900;
const REFRESH_TTL_SECONDS = 7 * 24 * 60 * 60;
const SECOND = 1000;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// A fresh host per test: msw keeps a process-wide cookie jar, and distinct hosts keep one
// test's Set-Cookie from reaching another test's requests.
let hostCounter = 0;

interface Harness {
  clock: TestClock;
  control: ReturnType<typeof createAuthHandlers>['control'];
  urls: Record<FakeEndpoint, string>;
}

function setup(options: AuthHandlersOptions = {}): Harness {
  hostCounter += 1;
  const clock = createTestClock();
  const { handlers, control, urls } = createAuthHandlers({
    baseUrl: `http://auth${hostCounter}.test`,
    clock,
    ...options,
  });
  server.use(...handlers);
  return { clock, control, urls };
}

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function getWithToken(url: string, token?: string): Promise<Response> {
  return fetch(url, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } });
}

async function login(h: Harness, username = 'emilys', password = 'emilyspass'): Promise<AuthSessionBody> {
  const response = await postJson(h.urls.login, { username, password });
  expect(response.status).toBe(200);
  return (await response.json()) as AuthSessionBody;
}

function refresh(h: Harness, refreshToken: string): Promise<Response> {
  return postJson(h.urls.refresh, { refreshToken });
}

describe('login', () => {
  it('returns the user fields and both tokens for valid credentials', async () => {
    const h = setup();
    const session = await login(h);
    expect(session).toEqual({
      id: 1,
      username: 'emilys',
      email: 'emily.johnson@x.example',
      firstName: 'Emily',
      lastName: 'Johnson',
      gender: 'female',
      image: 'https://example.test/image/200?text=User+1',
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
  });

  it('knows the second default user', async () => {
    const session = await login(setup(), 'michaelw', 'michaelwpass');
    expect(session).toMatchObject({ id: 2, firstName: 'Michael', lastName: 'Williams', gender: 'male' });
  });

  it('answers a wrong password with 401 and the contract error code by default', async () => {
    const h = setup();
    const response = await postJson(h.urls.login, { username: 'emilys', password: 'nope' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Invalid credentials', code: 'auth/invalid_credentials' });
  });

  it("answers a wrong password with DummyJSON's 400 and bare message when asked", async () => {
    const h = setup({ invalidCredentials: 'dummyjson' });
    const response = await postJson(h.urls.login, { username: 'emilys', password: 'nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'Invalid credentials' });
  });

  it('answers a body that is not JSON with 400 auth/bad_request', async () => {
    const h = setup();
    const response = await fetch(h.urls.login, { method: 'POST', body: '{not json' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'auth/bad_request', message: expect.any(String) });
  });

  it('accepts custom users', async () => {
    const h = setup({
      users: [
        {
          id: 7,
          username: 'ada',
          password: 'lovelace',
          email: 'ada@x.example',
          firstName: 'Ada',
          lastName: 'Lovelace',
          gender: 'female',
          image: 'https://example.test/ada',
        },
      ],
    });
    expect((await login(h, 'ada', 'lovelace')).id).toBe(7);
    expect((await postJson(h.urls.login, { username: 'emilys', password: 'emilyspass' })).status).toBe(401);
  });
});

describe('tokens', () => {
  it('are HS256 JWTs whose claims follow the fake clock and the TTLs', async () => {
    const h = setup();
    const { accessToken, refreshToken } = await login(h);
    const nowSeconds = h.clock.now() / SECOND;

    expect(jwtDecode<JwtHeader>(accessToken, { header: true })).toEqual({ alg: 'HS256', typ: 'JWT' });
    const access = jwtDecode<Claims>(accessToken);
    const refreshClaims = jwtDecode<Claims>(refreshToken);
    expect(access).toMatchObject({ sub: '1', username: 'emilys', typ: 'access', iat: nowSeconds });
    expect(access.exp - access.iat).toBe(ACCESS_TTL_SECONDS);
    expect(refreshClaims).toMatchObject({ sub: '1', typ: 'refresh', iat: nowSeconds });
    expect(refreshClaims.exp - refreshClaims.iat).toBe(REFRESH_TTL_SECONDS);
    expect(refreshClaims.fam).toEqual(expect.any(String));
    expect(access.jti).not.toBe(refreshClaims.jti);
  });

  it('use the configured TTLs', async () => {
    const h = setup({ accessTokenTtl: 60, refreshTokenTtl: 3600 });
    const { accessToken, refreshToken } = await login(h);
    const access = jwtDecode<Claims>(accessToken);
    const refreshClaims = jwtDecode<Claims>(refreshToken);
    expect(access.exp - access.iat).toBe(60);
    expect(refreshClaims.exp - refreshClaims.iat).toBe(3600);
  });

  it('have a unique jti per login', async () => {
    const h = setup();
    const first = jwtDecode<Claims>((await login(h)).accessToken);
    const second = jwtDecode<Claims>((await login(h)).accessToken);
    expect(first.jti).not.toBe(second.jti);
  });

  it('are rejected when their payload is tampered with', async () => {
    const h = setup();
    const { accessToken } = await login(h);
    const [header, , signature] = accessToken.split('.');
    const forged = { ...jwtDecode<Claims>(accessToken), sub: '2', username: 'michaelw' };
    const forgedPayload = base64UrlEncode(new TextEncoder().encode(JSON.stringify(forged)));
    const response = await getWithToken(h.urls.me, `${header}.${forgedPayload}.${signature}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized', code: 'auth/unauthorized' });
  });
});

describe('refresh', () => {
  it('rotates: returns a new pair in the same family', async () => {
    const h = setup();
    const session = await login(h);
    const response = await refresh(h, session.refreshToken);
    expect(response.status).toBe(200);
    const pair = (await response.json()) as { accessToken: string; refreshToken: string };
    expect(Object.keys(pair).sort()).toEqual(['accessToken', 'refreshToken']);
    expect(pair.refreshToken).not.toBe(session.refreshToken);
    expect(jwtDecode<Claims>(pair.refreshToken).fam).toBe(jwtDecode<Claims>(session.refreshToken).fam);
    expect((await getWithToken(h.urls.me, pair.accessToken)).status).toBe(200);
  });

  it('answers reuse of a spent refresh token with auth/refresh_token_reused', async () => {
    const h = setup();
    const session = await login(h);
    await refresh(h, session.refreshToken);
    const reused = await refresh(h, session.refreshToken);
    expect(reused.status).toBe(401);
    expect(await reused.json()).toEqual({ message: 'Refresh token reused', code: 'auth/refresh_token_reused' });
    expect(h.control.requests().map((entry) => entry.usedSpentRefreshToken)).toEqual([false, false, true]);
  });

  it('revokes the whole family on reuse, including the newest tokens', async () => {
    const h = setup();
    const session = await login(h);
    const pair = (await (await refresh(h, session.refreshToken)).json()) as AuthSessionBody;
    await refresh(h, session.refreshToken);

    const next = await refresh(h, pair.refreshToken);
    expect(next.status).toBe(401);
    expect(await next.json()).toMatchObject({ code: 'auth/refresh_token_invalid' });
    expect((await getWithToken(h.urls.me, pair.accessToken)).status).toBe(401);
  });

  it('does not revoke other families on reuse', async () => {
    const h = setup();
    const victim = await login(h);
    const bystander = await login(h, 'michaelw', 'michaelwpass');
    await refresh(h, victim.refreshToken);
    await refresh(h, victim.refreshToken);
    expect((await refresh(h, bystander.refreshToken)).status).toBe(200);
  });

  it('lets exactly one of two concurrent refreshes with one token win', async () => {
    const h = setup();
    const session = await login(h);
    const statuses = (await Promise.all([refresh(h, session.refreshToken), refresh(h, session.refreshToken)]))
      .map((response) => response.status)
      .sort();
    expect(statuses).toEqual([200, 401]);
  });

  it('rejects a refresh token once the server clock passes its exp', async () => {
    const h = setup();
    const session = await login(h);
    await h.clock.advance(REFRESH_TTL_SECONDS * SECOND);
    const response = await refresh(h, session.refreshToken);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'auth/refresh_token_expired' });
  });

  it('still accepts a refresh token just before its exp', async () => {
    const h = setup();
    const session = await login(h);
    await h.clock.advance(REFRESH_TTL_SECONDS * SECOND - 1);
    expect((await refresh(h, session.refreshToken)).status).toBe(200);
  });

  it('answers a garbled token with auth/refresh_token_invalid', async () => {
    const h = setup();
    const response = await refresh(h, 'not.a.jwt');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'auth/refresh_token_invalid' });
  });

  it('refuses an access token in place of a refresh token', async () => {
    const h = setup();
    const response = await refresh(h, (await login(h)).accessToken);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'auth/refresh_token_invalid' });
  });

  it('answers a missing token with 400 auth/bad_request', async () => {
    const h = setup();
    const response = await postJson(h.urls.refresh, {});
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'auth/bad_request' });
  });
});

describe('refresh token cookie', () => {
  it('is set on login with HttpOnly, Path=/auth and SameSite=Strict by default', async () => {
    const h = setup();
    const response = await postJson(h.urls.login, { username: 'emilys', password: 'emilyspass' });
    const { refreshToken } = (await response.json()) as AuthSessionBody;
    expect(response.headers.get('set-cookie')).toBe(
      `refreshToken=${refreshToken}; HttpOnly; Path=/auth; SameSite=Strict`,
    );
  });

  it('is read by /auth/refresh in cookie mode', async () => {
    const h = setup({ refreshTokenFrom: 'cookie' });
    const session = await login(h);
    const response = await fetch(h.urls.refresh, {
      method: 'POST',
      headers: { Cookie: `refreshToken=${session.refreshToken}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^refreshToken=[\w-]+\.[\w-]+\.[\w-]+; HttpOnly;/);
  });

  it('is neither set nor read in body mode', async () => {
    const h = setup({ refreshTokenFrom: 'body' });
    const response = await postJson(h.urls.login, { username: 'emilys', password: 'emilyspass' });
    const session = (await response.json()) as AuthSessionBody;
    expect(response.headers.get('set-cookie')).toBeNull();
    const viaCookie = await fetch(h.urls.refresh, {
      method: 'POST',
      headers: { Cookie: `refreshToken=${session.refreshToken}` },
    });
    expect(viaCookie.status).toBe(400);
  });
});

describe('me', () => {
  it('returns the profile, with an extra role field, for a valid access token', async () => {
    const h = setup();
    const response = await getWithToken(h.urls.me, (await login(h)).accessToken);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: 1,
      username: 'emilys',
      email: 'emily.johnson@x.example',
      firstName: 'Emily',
      lastName: 'Johnson',
      role: 'admin',
    });
  });

  it("reports role 'user' for michaelw", async () => {
    const h = setup();
    const response = await getWithToken(h.urls.me, (await login(h, 'michaelw', 'michaelwpass')).accessToken);
    expect(await response.json()).toMatchObject({ username: 'michaelw', role: 'user' });
  });

  it('answers an expired access token with auth/token_expired and records it', async () => {
    const h = setup();
    const { accessToken } = await login(h);
    await h.clock.advance(ACCESS_TTL_SECONDS * SECOND);
    const response = await getWithToken(h.urls.me, accessToken);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Token expired', code: 'auth/token_expired' });
    expect(h.control.expiredAccessTokenRequests()).toBe(1);
    expect(h.control.requests().at(-1)).toMatchObject({ endpoint: 'me', usedExpiredAccessToken: true });
  });

  it('answers a missing Authorization header with auth/unauthorized', async () => {
    const h = setup();
    const response = await getWithToken(h.urls.me);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized', code: 'auth/unauthorized' });
  });

  it('refuses a refresh token used as an access token', async () => {
    const h = setup();
    expect((await getWithToken(h.urls.me, (await login(h)).refreshToken)).status).toBe(401);
  });
});

describe('todos', () => {
  it("returns the caller's own todos", async () => {
    const h = setup();
    const todosOf = async (session: AuthSessionBody) =>
      (await (await getWithToken(h.urls.todos, session.accessToken)).json()) as TodosBody;
    const emily = await todosOf(await login(h));
    const michael = await todosOf(await login(h, 'michaelw', 'michaelwpass'));
    expect(emily).toEqual({
      todos: [
        expect.objectContaining({ userId: 1, completed: expect.any(Boolean), todo: expect.stringContaining('Emily') }),
        expect.objectContaining({ userId: 1 }),
      ],
    });
    expect(michael.todos.map((todo) => todo.userId)).toEqual([2, 2]);
  });

  it('requires a valid access token', async () => {
    const h = setup();
    expect((await getWithToken(h.urls.todos)).status).toBe(401);
  });
});

describe('control', () => {
  it('failNext network makes the next N requests fail at the network level, then recovers', async () => {
    const h = setup();
    h.control.failNext('login', 2, 'network');
    const attempt = () => postJson(h.urls.login, { username: 'emilys', password: 'emilyspass' });
    await expect(attempt()).rejects.toThrow(TypeError);
    await expect(attempt()).rejects.toThrow(TypeError);
    expect((await attempt()).status).toBe(200);
    expect(h.control.counts().login).toBe(3);
    expect(h.control.requests().map((entry) => entry.status)).toEqual([0, 0, 200]);
  });

  it('failNext with a status sends that status and a JSON body', async () => {
    const h = setup();
    h.control.failNext('me', 1, { status: 503, body: { message: 'Down for maintenance' } });
    const response = await getWithToken(h.urls.me, (await login(h)).accessToken);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Down for maintenance' });
  });

  it('failNext with a contentType sends the body as raw text', async () => {
    const h = setup();
    const html = '<html><body>502 Bad Gateway</body></html>';
    h.control.failNext('refresh', 1, { status: 502, body: html, contentType: 'text/html' });
    const response = await refresh(h, 'anything');
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toBe(html);
  });

  it('respondNext answers with the given resolver, then the server resumes', async () => {
    const h = setup();
    const session = await login(h);
    h.control.respondNext('me', 1, () => new HttpResponse('{"id": 1,', { headers: { 'Content-Type': 'application/json' } }));
    await expect((await getWithToken(h.urls.me, session.accessToken)).json()).rejects.toThrow(SyntaxError);
    expect(await (await getWithToken(h.urls.me, session.accessToken)).json()).toMatchObject({ id: 1 });
  });

  it('setLatency delays answers on the server clock, not in real time', async () => {
    const h = setup();
    const { accessToken } = await login(h);
    h.control.setLatency('me', 2 * SECOND);
    let settled = false;
    const pending = getWithToken(h.urls.me, accessToken).then((response) => {
      settled = true;
      return response;
    });
    await h.clock.advance(2 * SECOND - 1);
    expect(settled).toBe(false);
    await h.clock.advance(1);
    expect((await pending).status).toBe(200);
    expect(h.control.requests().at(-1)?.at).toBe(h.clock.now());
  });

  it("setLatency('all') applies to every endpoint", async () => {
    const h = setup();
    h.control.setLatency('all', SECOND);
    let settled = false;
    const pending = postJson(h.urls.login, { username: 'emilys', password: 'emilyspass' }).then((response) => {
      settled = true;
      return response;
    });
    await h.clock.flush();
    expect(settled).toBe(false);
    await h.clock.advance(SECOND);
    expect((await pending).status).toBe(200);
  });

  it('counts requests per endpoint and keeps no token strings in the log', async () => {
    const h = setup();
    const session = await login(h);
    const pair = (await (await refresh(h, session.refreshToken)).json()) as AuthSessionBody;
    await getWithToken(h.urls.me, pair.accessToken);
    await getWithToken(h.urls.todos, pair.accessToken);
    await getWithToken(h.urls.todos, pair.accessToken);

    expect(h.control.counts()).toEqual({ login: 1, refresh: 1, me: 1, todos: 2 });
    const logged = JSON.stringify(h.control.requests());
    for (const token of [session.accessToken, session.refreshToken, pair.accessToken, pair.refreshToken]) {
      for (const segment of token.split('.')) expect(logged).not.toContain(segment);
    }
    expect(h.control.requests()[0]).toEqual({
      endpoint: 'login',
      at: h.clock.now(),
      status: 200,
      usedExpiredAccessToken: false,
      usedSpentRefreshToken: false,
    });
  });

  it('issueSession returns a working login body without counting a request', async () => {
    const h = setup();
    const session = await h.control.issueSession('michaelw');
    expect(session).toMatchObject({ id: 2, username: 'michaelw' });
    expect(h.control.counts()).toEqual({ login: 0, refresh: 0, me: 0, todos: 0 });
    expect((await getWithToken(h.urls.me, session.accessToken)).status).toBe(200);
    await expect(h.control.issueSession('nobody')).rejects.toThrow('nobody');
  });

  it('revokeAll invalidates every access and refresh token issued so far', async () => {
    const h = setup();
    const session = await login(h);
    h.control.revokeAll();
    expect((await getWithToken(h.urls.me, session.accessToken)).status).toBe(401);
    const response = await refresh(h, session.refreshToken);
    expect(await response.json()).toMatchObject({ code: 'auth/refresh_token_invalid' });
    expect((await getWithToken(h.urls.me, (await login(h)).accessToken)).status).toBe(200);
  });

  it('reset clears counters, log, queued failures and latency but keeps sessions', async () => {
    const h = setup();
    const session = await login(h);
    h.control.failNext('me', 1, 'network');
    h.control.setLatency('all', SECOND);
    h.control.reset();
    expect(h.control.counts()).toEqual({ login: 0, refresh: 0, me: 0, todos: 0 });
    expect(h.control.requests()).toEqual([]);
    expect((await getWithToken(h.urls.me, session.accessToken)).status).toBe(200);
  });

  it('rejects a negative count', () => {
    expect(() => setup().control.failNext('me', -1, 'network')).toThrow(RangeError);
  });
});

describe('options', () => {
  it('serves custom paths under the base URL', async () => {
    const h = setup({ paths: { login: '/v2/session', me: '/v2/whoami' } });
    expect(h.urls.login).toMatch(/\/v2\/session$/);
    const session = await login(h);
    expect((await getWithToken(h.urls.me, session.accessToken)).status).toBe(200);
  });

  it('defaults to http://localhost and the contract paths', () => {
    const { urls } = createAuthHandlers();
    expect(urls).toEqual({
      login: 'http://localhost/auth/login',
      refresh: 'http://localhost/auth/refresh',
      me: 'http://localhost/auth/me',
      todos: 'http://localhost/api/todos',
    });
  });
});
