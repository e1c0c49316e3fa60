// @vitest-environment node
import { jwtDecode } from 'jwt-decode';
import { describe, expect, it, vi } from 'vitest';
import { createFakeAuthServer } from '../../src/testing/fakeAuthServer';
import type { AuthSessionBody, FakeAuthServerOptions } from '../../src/testing/fakeAuthTypes';
import { createTestClock } from '../../src/testing/createTestClock';
import { parseCookieHeader } from '../../src/testing/routes';

interface Claims {
  iat: number;
  exp: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const ACCESS_TTL_SECONDS = 900;
const ORIGIN = 'http://fake.test';
const EMILY = { username: 'emilys', password: 'emilyspass' };

function setup(options: FakeAuthServerOptions = {}) {
  const clock = createTestClock();
  const server = createFakeAuthServer({ clock, ...options });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    new Request(`${ORIGIN}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const login = async (): Promise<AuthSessionBody> =>
    (await (await server.handle('login', post('/auth/login', EMILY))).json()) as AuthSessionBody;
  const refresh = (refreshToken: string) => server.handle('refresh', post('/auth/refresh', { refreshToken }));
  const me = (token: string) =>
    server.handle('me', new Request(`${ORIGIN}/auth/me`, { headers: { Authorization: `Bearer ${token}` } }));
  return { clock, server, control: server.control, post, login, refresh, me };
}

const httpDate = (ms: number) => new Date(ms).toUTCString();
const secondsOf = (ms: number) => Math.floor(ms / SECOND);

describe('Date header', () => {
  it('is sent on a successful answer, from the server clock, in IMF-fixdate', async () => {
    const h = setup();
    await h.clock.advance(1234);
    const response = await h.server.handle('login', h.post('/auth/login', EMILY));
    expect(response.headers.get('date')).toBe('Thu, 01 Jan 2026 00:00:01 GMT');
  });

  it('is sent on error answers and injected status failures too', async () => {
    const h = setup();
    h.control.failNext('me', 1, { status: 503 });
    const injected = await h.me('x');
    const refused = await h.me('x');
    expect([injected.status, refused.status]).toEqual([503, 401]);
    expect([injected.headers.get('date'), refused.headers.get('date')]).toEqual([httpDate(h.clock.now()), httpDate(h.clock.now())]);
  });

  it("is added to a test's override that has none", async () => {
    const h = setup();
    h.control.respondNext('me', 1, () => new Response('{}'));
    expect((await h.me('x')).headers.get('date')).toBe(httpDate(h.clock.now()));
  });

  it("leaves an override's own Date as it is", async () => {
    const h = setup();
    const skewed = 'Mon, 01 Dec 2025 00:00:00 GMT';
    h.control.respondNext('me', 1, () => new Response('{}', { headers: { Date: skewed } }));
    expect((await h.me('x')).headers.get('date')).toBe(skewed);
  });

  it('is not sent with dateHeader: false', async () => {
    const h = setup({ dateHeader: false });
    expect((await h.server.handle('login', h.post('/auth/login', EMILY))).headers.has('date')).toBe(false);
  });
});

describe('refreshedIat', () => {
  it("'now' (default): a refreshed access token is stamped at the refresh", async () => {
    const h = setup();
    const session = await h.login();
    await h.clock.advance(10 * MINUTE);
    const pair = (await (await h.refresh(session.refreshToken)).json()) as AuthSessionBody;
    const access = jwtDecode<Claims>(pair.accessToken);
    expect(access.iat).toBe(secondsOf(h.clock.now()));
    expect(access.exp - access.iat).toBe(ACCESS_TTL_SECONDS);
  });

  it("'refresh-token': refreshed tokens carry the login's iat, exp stays now + ttl", async () => {
    const h = setup({ refreshedIat: 'refresh-token' });
    const loginIat = secondsOf(h.clock.now());
    const first = await h.login();
    await h.clock.advance(10 * MINUTE);
    const second = (await (await h.refresh(first.refreshToken)).json()) as AuthSessionBody;
    await h.clock.advance(10 * MINUTE);
    const third = (await (await h.refresh(second.refreshToken)).json()) as AuthSessionBody;
    const access = jwtDecode<Claims>(third.accessToken);
    expect(access.iat).toBe(loginIat);
    expect(access.exp).toBe(secondsOf(h.clock.now()) + ACCESS_TTL_SECONDS);
    expect(jwtDecode<Claims>(third.refreshToken).iat).toBe(loginIat);
  });
});

describe('delays', () => {
  it('setResponseDelay holds the answer after the token is stamped', async () => {
    const h = setup();
    h.control.setResponseDelay('login', 25 * SECOND);
    const issuedAt = h.clock.now();
    let settled = false;
    const pending = h.server.handle('login', h.post('/auth/login', EMILY)).then((response) => {
      settled = true;
      return response;
    });
    await h.clock.advance(25 * SECOND - 1);
    expect(settled).toBe(false);
    await h.clock.advance(1);
    const response = await pending;
    const { accessToken } = (await response.json()) as AuthSessionBody;
    expect(jwtDecode<Claims>(accessToken).iat).toBe(secondsOf(issuedAt));
    expect(response.headers.get('date')).toBe(httpDate(issuedAt));
    expect(h.control.requests()[0]?.at).toBe(issuedAt);
  });

  it('setLatency stamps the token when the wait is over', async () => {
    const h = setup();
    h.control.setLatency('login', 25 * SECOND);
    const pending = h.server.handle('login', h.post('/auth/login', EMILY));
    await h.clock.advance(25 * SECOND);
    const { accessToken } = (await (await pending).json()) as AuthSessionBody;
    expect(jwtDecode<Claims>(accessToken).iat).toBe(secondsOf(h.clock.now()));
  });

  it('reset clears response delays', async () => {
    const h = setup();
    h.control.setResponseDelay('all', MINUTE);
    h.control.reset();
    expect((await h.server.handle('login', h.post('/auth/login', EMILY))).status).toBe(200);
  });

  it('rejects a negative response delay', () => {
    expect(() => setup().control.setResponseDelay('me', -1)).toThrow(RangeError);
  });
});

describe('lifetimes', () => {
  it('setLifetimes applies to tokens issued afterwards, fractions included', async () => {
    const h = setup();
    const before = jwtDecode<Claims>((await h.login()).accessToken);
    h.control.setLifetimes({ accessTokenTtl: 2.5 });
    const after = jwtDecode<Claims>((await h.login()).accessToken);
    expect(before.exp - before.iat).toBe(ACCESS_TTL_SECONDS);
    expect(after.exp - after.iat).toBe(2.5);
  });

  it('a 4-second access token works for 4 seconds and not after', async () => {
    const h = setup({ accessTokenTtl: 4 });
    const { accessToken } = await h.login();
    await h.clock.advance(4 * SECOND - 1);
    expect((await h.me(accessToken)).status).toBe(200);
    await h.clock.advance(1);
    expect((await h.me(accessToken)).status).toBe(401);
  });

  it('reset restores the configured lifetimes', async () => {
    const h = setup({ accessTokenTtl: 60 });
    h.control.setLifetimes({ accessTokenTtl: 5 });
    h.control.reset();
    const access = jwtDecode<Claims>((await h.login()).accessToken);
    expect(access.exp - access.iat).toBe(60);
  });

  it('refuses a zero lifetime', () => {
    expect(() => setup().control.setLifetimes({ refreshTokenTtl: 0 })).toThrow(RangeError);
  });
});

describe('handle', () => {
  it("answers an injected network failure with Response.error(), the adapters' cue to drop the connection", async () => {
    const h = setup();
    h.control.failNext('login', 1, 'network');
    const response = await h.server.handle('login', h.post('/auth/login', EMILY));
    expect(response.type).toBe('error');
    expect(h.control.requests()[0]?.status).toBe(0);
  });

  it('reads the refresh cookie from the Cookie header when no cookies are given', async () => {
    const h = setup({ refreshTokenFrom: 'cookie' });
    const { refreshToken } = await h.login();
    const request = new Request(`${ORIGIN}/auth/refresh`, { method: 'POST', headers: { Cookie: `refreshToken=${refreshToken}` } });
    expect((await h.server.handle('refresh', request)).status).toBe(200);
  });

  it('counts refresh requests that carried a spent refresh token', async () => {
    const h = setup();
    const { refreshToken } = await h.login();
    await h.refresh(refreshToken);
    await h.refresh(refreshToken);
    await h.refresh(refreshToken);
    expect(h.control.spentRefreshTokenRequests()).toBe(2);
  });
});

describe('parseCookieHeader', () => {
  it('keeps the first of two same-named cookies and decodes values', () => {
    expect(parseCookieHeader('a=1; b=x%20y; a=2')).toEqual({ a: '1', b: 'x y' });
  });

  it('makes a cookie named __proto__ an own property, not a prototype', () => {
    const cookies = parseCookieHeader('__proto__=x');
    expect(Object.getPrototypeOf(cookies)).toBe(Object.prototype);
    expect(Object.hasOwn(cookies, '__proto__')).toBe(true);
  });
});

describe('imports', () => {
  it('the framework-free server loads without msw', async () => {
    vi.resetModules();
    vi.doMock('msw', () => {
      throw new Error('msw was imported');
    });
    const module = await import('../../src/testing/fakeAuthServer');
    expect(typeof module.createFakeAuthServer).toBe('function');
    vi.doUnmock('msw');
  });
});
