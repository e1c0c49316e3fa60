// @vitest-environment node
import { jwtDecode } from 'jwt-decode';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSessionBody } from '../../src/testing/fakeAuthTypes';
import { getWithToken, mswTarget, nodeTarget, postJson, type StartTarget, type Target, type TargetOptions } from './targets';

interface Claims {
  sub: string;
  username: string;
  typ: string;
  iat: number;
  exp: number;
  fam: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const ACCESS_TTL_SECONDS = 900;
const EMILY = { username: 'emilys', password: 'emilyspass' };
const JWT = /[\w-]+\.[\w-]+\.[\w-]+/g;

const msw = setupServer();
const node = nodeTarget();
beforeAll(() =>
  msw.listen({
    // The node servers are real: their requests go through.
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== '127.0.0.1') print.error();
    },
  }),
);
afterEach(() => msw.resetHandlers());
afterAll(async () => {
  msw.close();
  await node.closeAll();
});

const TARGETS: [string, StartTarget][] = [
  ['msw', mswTarget(msw)],
  ['node', node.start],
];

async function login(t: Target, credentials = EMILY): Promise<AuthSessionBody> {
  return (await (await postJson(t.urls.login, credentials)).json()) as AuthSessionBody;
}

const refresh = (t: Target, refreshToken: string) => postJson(t.urls.refresh, { refreshToken });
const refreshByCookie = (t: Target, refreshToken: string) =>
  fetch(t.urls.refresh, { method: 'POST', headers: { Cookie: `refreshToken=${refreshToken}` } });
const adminPost = (t: Target, path: string, body?: unknown) => postJson(t.admin(path), body ?? {});
const counts = async (t: Target) => (await fetch(t.admin('/__admin/counts'))).json();
const httpDate = (ms: number) => new Date(ms).toUTCString();
const secondsOf = (ms: number) => Math.floor(ms / SECOND);

describe.each(TARGETS)('%s adapter', (_name, start) => {
  it('logs in with valid credentials and returns the user fields and both tokens', async () => {
    const session = await login(await start());
    expect(session).toMatchObject({ id: 1, username: 'emilys', accessToken: expect.stringMatching(JWT), refreshToken: expect.stringMatching(JWT) });
  });

  it('answers a wrong password with 401 and the contract envelope', async () => {
    const response = await postJson((await start()).urls.login, { username: 'emilys', password: 'nope' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Invalid credentials', code: 'auth/invalid_credentials' });
  });

  it('answers me with the profile for a valid access token', async () => {
    const t = await start();
    const response = await getWithToken(t.urls.me, (await login(t)).accessToken);
    expect(await response.json()).toEqual({ id: 1, username: 'emilys', email: 'emily.johnson@x.example', firstName: 'Emily', lastName: 'Johnson', role: 'admin' });
  });

  it('rotates on refresh: a new pair of the same family, and the old refresh token is spent', async () => {
    const t = await start();
    const session = await login(t);
    const pair = (await (await refresh(t, session.refreshToken)).json()) as AuthSessionBody;
    expect(jwtDecode<Claims>(pair.refreshToken).fam).toBe(jwtDecode<Claims>(session.refreshToken).fam);
    expect(await (await refresh(t, session.refreshToken)).json()).toMatchObject({ code: 'auth/refresh_token_reused' });
  });

  it('revokes the whole family when a spent refresh token is reused', async () => {
    const t = await start();
    const session = await login(t);
    const pair = (await (await refresh(t, session.refreshToken)).json()) as AuthSessionBody;
    await refresh(t, session.refreshToken);
    expect((await getWithToken(t.urls.me, pair.accessToken)).status).toBe(401);
    expect(await (await refresh(t, pair.refreshToken)).json()).toMatchObject({ code: 'auth/refresh_token_invalid' });
  });

  it('in cookie mode, sets the refresh token as an HttpOnly cookie and refreshes from the Cookie header', async () => {
    const t = await start({ refreshTokenFrom: 'cookie' });
    const response = await postJson(t.urls.login, EMILY);
    const { refreshToken } = (await response.json()) as AuthSessionBody;
    expect(response.headers.get('set-cookie')).toBe(`refreshToken=${refreshToken}; HttpOnly; Path=/auth; SameSite=Strict`);
    const refreshed = await refreshByCookie(t, refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('set-cookie')).toMatch(/^refreshToken=[\w-]+\.[\w-]+\.[\w-]+; HttpOnly;/);
  });

  it('drops the connection for an injected network failure', async () => {
    const t = await start();
    t.control.failNext('login', 1, 'network');
    await expect(postJson(t.urls.login, EMILY)).rejects.toThrow(TypeError);
    expect(t.control.requests()[0]?.status).toBe(0);
  });

  it('sends a Date header from the server clock on every answer', async () => {
    const t = await start();
    await t.clock.advance(90 * MINUTE);
    const answers = [await postJson(t.urls.login, EMILY), await getWithToken(t.urls.me), await fetch(t.admin('/__admin/counts'))];
    expect(answers.map((response) => response.headers.get('date'))).toEqual(Array(3).fill('Thu, 01 Jan 2026 01:30:00 GMT'));
  });

  it('sends no Date header at all with dateHeader: false', async () => {
    const t = await start({ dateHeader: false });
    expect((await postJson(t.urls.login, EMILY)).headers.get('date')).toBeNull();
  });

  it("with refreshedIat: 'refresh-token', stamps a refreshed access token with the login's iat", async () => {
    const t = await start({ refreshedIat: 'refresh-token' });
    const loginIat = secondsOf(t.clock.now());
    const session = await login(t);
    await t.clock.advance(10 * MINUTE);
    const pair = (await (await refresh(t, session.refreshToken)).json()) as AuthSessionBody;
    const access = jwtDecode<Claims>(pair.accessToken);
    expect({ iat: access.iat, exp: access.exp }).toEqual({ iat: loginIat, exp: secondsOf(t.clock.now()) + ACCESS_TTL_SECONDS });
  });

  it('with a response delay, answers only once the server clock has passed it, stamped at arrival', async () => {
    const t = await start();
    t.control.setResponseDelay('refresh', 25 * SECOND);
    const session = await login(t);
    const issuedAt = t.clock.now();
    const delayStarted = t.nextTimer();
    let settled = false;
    const pending = refresh(t, session.refreshToken).then((response) => {
      settled = true;
      return response;
    });
    await delayStarted;
    await t.clock.advance(25 * SECOND - 1);
    expect(settled).toBe(false);
    await t.clock.advance(1);
    const response = await pending;
    expect(response.headers.get('date')).toBe(httpDate(issuedAt));
    expect(jwtDecode<Claims>(((await response.json()) as AuthSessionBody).accessToken).iat).toBe(secondsOf(issuedAt));
  });

  describe('admin routes', () => {
    it('GET /__admin/counts gives per-endpoint counts and the spent and expired token requests', async () => {
      const t = await start();
      const session = await login(t);
      await refresh(t, session.refreshToken);
      await refresh(t, session.refreshToken);
      await t.clock.advance(ACCESS_TTL_SECONDS * SECOND);
      await getWithToken(t.urls.me, session.accessToken);
      expect(await counts(t)).toEqual({
        counts: { login: 1, refresh: 2, me: 1, todos: 0 },
        spentRefreshTokenRequests: 1,
        expiredAccessTokenRequests: 1,
      });
    });

    it('POST /__admin/reset clears the counts and keeps sessions', async () => {
      const t = await start();
      const session = await login(t);
      expect((await adminPost(t, '/__admin/reset')).status).toBe(204);
      expect((await counts(t)).counts).toEqual({ login: 0, refresh: 0, me: 0, todos: 0 });
      expect((await getWithToken(t.urls.me, session.accessToken)).status).toBe(200);
    });

    it('POST /__admin/revoke-all ends every session', async () => {
      const t = await start();
      const session = await login(t);
      await adminPost(t, '/__admin/revoke-all');
      expect((await getWithToken(t.urls.me, session.accessToken)).status).toBe(401);
    });

    it('POST /__admin/lifetimes sets the lifetime of the next tokens, in seconds', async () => {
      const t = await start();
      expect((await adminPost(t, '/__admin/lifetimes', { accessTokenTtl: 4 })).status).toBe(204);
      const access = jwtDecode<Claims>((await login(t)).accessToken);
      expect(access.exp - access.iat).toBe(4);
    });

    it('POST /__admin/fail-next makes the next request fail as asked', async () => {
      const t = await start();
      await adminPost(t, '/__admin/fail-next', { endpoint: 'login', failure: { status: 503 } });
      expect((await postJson(t.urls.login, EMILY)).status).toBe(503);
      expect((await postJson(t.urls.login, EMILY)).status).toBe(200);
    });

    it('POST /__admin/response-delay delays the answers of an endpoint', async () => {
      const t = await start();
      await adminPost(t, '/__admin/response-delay', { endpoint: 'all', ms: SECOND });
      const delayStarted = t.nextTimer();
      const pending = postJson(t.urls.login, EMILY);
      await delayStarted;
      await t.clock.advance(SECOND);
      expect((await pending).status).toBe(200);
    });

    it('answers input it cannot use with 400 and the error envelope', async () => {
      const t = await start();
      const badEndpoint = await adminPost(t, '/__admin/latency', { endpoint: 'nowhere', ms: 1 });
      const negative = await adminPost(t, '/__admin/latency', { endpoint: 'me', ms: -1 });
      expect([badEndpoint.status, negative.status]).toEqual([400, 400]);
      expect(await badEndpoint.json()).toMatchObject({ code: 'auth/bad_request' });
    });

    it('answers a wrong method with 405 and Allow', async () => {
      const wrongMethod = await fetch((await start()).admin('/__admin/reset'));
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('POST');
    });
  });
});

/** A response with its random parts (token ids, families, signatures) taken out. */
async function snapshot(response: Response) {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  const claims = (token: string) => {
    const { sub, username, typ, iat, exp } = jwtDecode<Claims>(token);
    return { sub, username, typ, iat, exp };
  };
  const tokensOut = (value: unknown): unknown =>
    typeof value === 'string' && new RegExp(`^${JWT.source}$`).test(value)
      ? claims(value)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, tokensOut(inner)]))
        : value;
  const header = (name: string) => response.headers.get(name);
  return {
    status: response.status,
    headers: { contentType: header('content-type'), contentLength: header('content-length'), date: header('date'), setCookie: header('set-cookie')?.replace(JWT, '<jwt>') ?? null },
    body: tokensOut(body),
  };
}

type Scenario = (t: Target) => Promise<Response[]>;

const SCENARIOS: [string, TargetOptions, Scenario][] = [
  ['login', {}, async (t) => [await postJson(t.urls.login, EMILY)]],
  ['wrong password', {}, async (t) => [await postJson(t.urls.login, { ...EMILY, password: 'nope' })]],
  ['wrong password, DummyJSON style', { invalidCredentials: 'dummyjson' }, async (t) => [await postJson(t.urls.login, { ...EMILY, password: 'nope' })]],
  ['me, with and without a token', {}, async (t) => [await getWithToken(t.urls.me, (await login(t)).accessToken), await getWithToken(t.urls.me)]],
  [
    'refresh rotation, then reuse revoking the family',
    {},
    async (t) => {
      const session = await login(t);
      await t.clock.advance(MINUTE);
      const rotated = await refresh(t, session.refreshToken);
      const pair = (await rotated.clone().json()) as AuthSessionBody;
      return [rotated, await refresh(t, session.refreshToken), await refresh(t, pair.refreshToken), await getWithToken(t.urls.me, pair.accessToken)];
    },
  ],
  [
    'cookie mode',
    { refreshTokenFrom: 'cookie' },
    async (t) => {
      const answer = await postJson(t.urls.login, EMILY);
      const { refreshToken } = (await answer.clone().json()) as AuthSessionBody;
      return [answer, await refreshByCookie(t, refreshToken), await refreshByCookie(t, refreshToken)];
    },
  ],
  [
    'admin routes',
    {},
    async (t) => {
      await login(t);
      return [await fetch(t.admin('/__admin/counts')), await adminPost(t, '/__admin/reset'), await fetch(t.admin('/__admin/requests'))];
    },
  ],
  [
    "refreshedIat: 'refresh-token'",
    { refreshedIat: 'refresh-token' },
    async (t) => {
      const session = await login(t);
      await t.clock.advance(10 * MINUTE);
      return [await refresh(t, session.refreshToken)];
    },
  ],
  ['no Date header', { dateHeader: false }, async (t) => [await postJson(t.urls.login, EMILY)]],
  [
    'response delay',
    {},
    async (t) => {
      t.control.setResponseDelay('login', 25 * SECOND);
      const delayStarted = t.nextTimer();
      const pending = postJson(t.urls.login, EMILY);
      await delayStarted;
      await t.clock.advance(25 * SECOND);
      return [await pending];
    },
  ],
];

describe('msw and node answer alike', () => {
  const [[, startMsw], [, startNode]] = TARGETS as [[string, StartTarget], [string, StartTarget]];
  const transcript = async (start: StartTarget, options: TargetOptions, scenario: Scenario) =>
    Promise.all((await scenario(await start(options))).map(snapshot));

  it.each(SCENARIOS)('%s', async (_name, options, scenario) => {
    const viaMsw = await transcript(startMsw, options, scenario);
    const viaNode = await transcript(startNode, options, scenario);
    expect(viaNode).toEqual(viaMsw);
  });
});
