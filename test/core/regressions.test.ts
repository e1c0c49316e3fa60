import { QueryClient } from '@tanstack/query-core';
import { jwtDecode } from 'jwt-decode';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import {
  AuthError,
  createAuthClient,
  InvalidCredentialsError,
  authKeys,
  isInvalidCredentialsError,
  type AuthClientConfig,
  type StandardSchemaV1,
  type StorageAdapter,
} from '../../src/core';
import { BASE_URL, MINUTE, emily, fakeJwt, server, setup, startMswServer } from '../harness';
import { CLAIM_WINDOW_MS } from '../../src/core/tabSync';

// Regressions of the engine rewrite: each test here failed on the engine before it (709199f).

startMswServer();

const KEY = 'authloop.session';

/** A synchronous storage adapter over a Map the test can read. */
function mapStorage(map = new Map<string, string>()) {
  const adapter: StorageAdapter = {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  };
  return { map, adapter };
}

/** Type-checks a config against its own user schema; the harness's makeClient is typed for the default user. */
const withUserSchema = <TSchema extends StandardSchemaV1>(config: AuthClientConfig<TSchema>) => config as unknown as AuthClientConfig;

const bearerOf = (request: Request) => request.headers.get('Authorization')?.replace(/^Bearer /, '') ?? null;

describe('client lifetime', () => {
  it('rejects login() after destroy() with auth/destroyed and sends no request', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    client.destroy();
    await expect(client.login(emily)).rejects.toMatchObject({ code: 'auth/destroyed' });
    expect(control.counts().login).toBe(0);
  });
});

describe('token timing', () => {
  it('lays the expiry from when the login was sent, not from when its 25 s answer arrived', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    control.setLatency('login', 25_000);
    const sentAt = clock.now();
    const login = client.login(emily);
    await clock.advance(25_000);
    expect((await login).expiresAt).toBe(sentAt + 900_000);
  });

  // 48 s tokens: the refresh goes 24 s after the login. The server answers it with a token
  // whose iat is the login's (copied from the refresh token) and whose exp is 30 s away, so
  // exp - iat claims 54 s; the Date header says 30 s.
  async function refreshWithCopiedIat() {
    const context = setup({ accessTokenTtl: 48 });
    const { makeClient, control, clock } = context;
    const client = makeClient();
    await client.login(emily);
    const iat = Math.floor(clock.now() / 1000);
    const refreshed = { sentAt: 0, token: '' };
    control.respondNext('refresh', 1, () => {
      refreshed.sentAt = clock.now();
      refreshed.token = fakeJwt({ sub: '1', iat, exp: Math.floor(clock.now() / 1000) + 30 });
      // No refresh token in the answer: the client keeps its own, which this answer did not spend.
      return HttpResponse.json({ accessToken: refreshed.token }, { headers: { Date: new Date(clock.now()).toUTCString() } });
    });
    await clock.advance(24_000);
    return { ...context, client, refreshed };
  }

  it('believes a refreshed token with a copied iat lives 30 s (exp minus the Date header), not 54 s (exp - iat)', async () => {
    const { client, control, refreshed } = await refreshWithCopiedIat();
    expect(control.counts().refresh).toBe(1);
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', accessToken: refreshed.token, expiresAt: refreshed.sentAt + 30_000 });
  });

  it('sends no request with a copied-iat token once it has expired on the server', async () => {
    const { client, clock, refreshed } = await refreshWithCopiedIat();
    const sent: Array<{ copied: boolean; expired: boolean }> = [];
    server.use(
      http.get(`${BASE_URL}/api/data`, ({ request }) => {
        const token = bearerOf(request)!;
        sent.push({ copied: token === refreshed.token, expired: jwtDecode<{ exp: number }>(token).exp * 1000 <= clock.now() });
        return HttpResponse.json({ ok: true });
      }),
    );
    // Asleep for 32 s: the token died on the server 2 s ago and no timer has fired.
    clock.jump(32_000);
    await client.fetch('/api/data');
    expect(sent).toEqual([{ copied: false, expired: false }]);
  });

  it('accepts a 4 s token at login and refreshes it before it expires', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 4 });
    const client = makeClient();
    const session = await client.login(emily);
    expect(session).toMatchObject({ status: 'authenticated', expiresAt: clock.now() + 4_000 });
    await clock.advance(2_000);
    expect(control.requests().filter((entry) => entry.endpoint === 'refresh' && entry.status === 200).map((entry) => entry.at)).toEqual([session.expiresAt! - 2_000]);
  });

  it('refreshes a 6 s token polled by getAccessToken() every 500 ms once per 3 s, not once per second', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 6 });
    const client = makeClient();
    await client.login(emily);
    for (let poll = 0; poll < 24; poll++) {
      await client.getAccessToken();
      await clock.advance(500);
    }
    // 12 s: refreshes at 3, 6, 9 and 12 s.
    expect(control.counts().refresh).toBe(4);
  });
});

describe('refresh failures', () => {
  it('sends one refresh, not ten, for ten sequential getAccessToken() calls with an expired token during a 503 outage', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient({ random: () => 0.5 });
    await client.login(emily);
    control.failNext('refresh', 10, { status: 503 });
    clock.jump(15 * MINUTE); // asleep past expiry: every call needs a refresh
    for (let call = 0; call < 10; call++) await client.getAccessToken().catch(() => undefined);
    expect(control.counts().refresh).toBe(1);
  });

  it('never sends again a refresh token whose 200 answer was refused', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    // The server rotates (the token is spent: the request is passed to it), then its answer is
    // mangled on the way back.
    control.respondNext('refresh', 1, async (request) => {
      await fetch(request.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: await request.text() });
      return HttpResponse.json({ accessToken: 42 });
    });
    await clock.advance(20 * MINUTE);
    expect(control.requests().filter((entry) => entry.endpoint === 'refresh').length).toBeGreaterThanOrEqual(1);
    expect(control.requests().filter((entry) => entry.usedSpentRefreshToken)).toEqual([]);
  });
});

describe('storage', () => {
  /** An adapter whose set and remove finish only when the test says so. */
  function deferredStorage() {
    const map = new Map<string, string>();
    const pending: Array<() => void> = [];
    const later = (write: () => void) => new Promise<void>((resolve) => pending.push(() => (write(), resolve())));
    const adapter: StorageAdapter = {
      get: (key) => map.get(key) ?? null,
      set: (key, value) => later(() => map.set(key, value)),
      remove: (key) => later(() => map.delete(key)),
    };
    const finishWrites = async (flush: () => Promise<void>) => {
      for (let i = 0; i < 10 && !pending.length; i++) await flush();
      pending.splice(0).forEach((finish) => finish());
    };
    return { map, adapter, finishWrites };
  }

  it('resolves logout() only once an async adapter has removed the session', async () => {
    const { makeClient, clock } = setup();
    const { map, adapter, finishWrites } = deferredStorage();
    const client = makeClient({ storage: adapter });
    const login = client.login(emily);
    await finishWrites(clock.flush);
    await login;
    expect(map.has(KEY)).toBe(true);
    const heldWhenResolved = client.logout().then(() => map.has(KEY));
    await finishWrites(clock.flush);
    expect(await heldWhenResolved).toBe(false);
  });

  it('resolves login() only once an async adapter has stored the session', async () => {
    const { makeClient, clock } = setup();
    const { map, adapter, finishWrites } = deferredStorage();
    const client = makeClient({ storage: adapter });
    const storedWhenResolved = client.login(emily).then(() => map.has(KEY));
    await finishWrites(clock.flush);
    expect(await storedWhenResolved).toBe(true);
  });

  it('restores a user whose schema transforms (snake_case to camelCase) as it was stored, after a reload', async () => {
    const { makeClient, control, clock } = setup();
    const user = z
      .object({ id: z.number(), username: z.string(), first_name: z.string() })
      .transform(({ first_name, ...rest }) => ({ ...rest, firstName: first_name }));
    control.respondNext('login', 1, async () => {
      const { id, username, firstName, accessToken, refreshToken } = await control.issueSession('emilys');
      return HttpResponse.json({ id, username, first_name: firstName, accessToken, refreshToken });
    });
    const { adapter } = mapStorage();
    const first = makeClient(withUserSchema({ storage: adapter, schemas: { user } }));
    expect((await first.login(emily)).user).toEqual({ id: 1, username: 'emilys', firstName: 'Emily' });
    first.destroy();
    const reloaded = makeClient(withUserSchema({ storage: adapter, schemas: { user } }));
    await clock.flush();
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'authenticated', user: { id: 1, username: 'emilys', firstName: 'Emily' } });
  });

  it('restores the session of an adapter whose get returns a non-native thenable, instead of deleting it', async () => {
    const { makeClient, clock } = setup();
    const { map, adapter } = mapStorage();
    await makeClient({ storage: adapter }).login(emily);
    const thenable: StorageAdapter = {
      ...adapter,
      get: (key) => ({ then: (resolve: (raw: string | null) => void) => resolve(map.get(key) ?? null) }) as unknown as Promise<string | null>,
    };
    const reloaded = makeClient({ storage: thenable });
    reloaded.getSnapshot();
    await clock.flush();
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
    expect(map.has(KEY)).toBe(true);
  });
});

describe('fetch', () => {
  function recordAuthorization(url: string) {
    const seen: Array<string | null> = [];
    server.use(
      http.get(url, ({ request }) => {
        seen.push(request.headers.get('Authorization'));
        return HttpResponse.json({ ok: true });
      }),
    );
    return seen;
  }

  it('sends no Authorization header to a third-party origin', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    await client.login(emily);
    const seen = recordAuthorization('https://third-party.example/x');
    await client.fetch('https://third-party.example/x');
    expect(seen).toEqual([null]);
  });

  it('resolves a relative path against a baseUrl with a path: api/todos under http://auth.test/v1 is http://auth.test/v1/api/todos', async () => {
    const { makeClient, control } = setup({ baseUrl: 'http://auth.test/v1' });
    const client = makeClient({ baseUrl: 'http://auth.test/v1' });
    await client.login(emily);
    const urls: string[] = [];
    server.events.on('request:start', ({ request }) => void urls.push(request.url));
    try {
      const response = await client.fetch('api/todos').catch((error: unknown) => error);
      expect(urls).toEqual(['http://auth.test/v1/api/todos']);
      expect(response).toMatchObject({ status: 200 });
      expect(control.counts().todos).toBe(1);
    } finally {
      server.events.removeAllListeners();
    }
  });

  it('with allowedOrigins, gives the bearer to the listed origin and to no other', async () => {
    const { makeClient } = setup();
    const client = makeClient({ allowedOrigins: ['https://cdn.example'] });
    const { accessToken } = await client.login(emily);
    const cdn = recordAuthorization('https://cdn.example/x');
    const other = recordAuthorization('https://third-party.example/x');
    await client.fetch('https://cdn.example/x');
    await client.fetch('https://third-party.example/x');
    expect(cdn).toEqual([`Bearer ${accessToken}`]);
    expect(other).toEqual([null]);
  });
});

describe('users told apart by getUserId', () => {
  it("keeps the user's auth queries when a refresh from another tab brings the same user, keyed by username", async () => {
    const { makeClient, clock } = setup({ accessTokenTtl: 900 });
    const user = z.object({ username: z.string(), email: z.string() });
    const storageKey = `regressions-${Math.random()}`;
    const config = withUserSchema({ crossTab: true, storageKey, schemas: { user }, getUserId: (u) => u.username });
    const a = makeClient(config);
    const b = makeClient(config);
    b.getSnapshot(); // a tab that has rendered: it listens to the other
    const queryClient = new QueryClient();
    b.bindQueryClient(queryClient);
    await a.login(emily);
    for (let i = 0; i < 20 && b.getSnapshot().status !== 'authenticated'; i++) await clock.flush();
    expect(b.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
    queryClient.setQueryData(authKeys.user('x'), ['emily data']);
    // Tabs open a while: a refresh right after a tab opens first hears the answers to its hello.
    await clock.advance(CLAIM_WINDOW_MS);
    await a.refresh();
    const token = (client: typeof a) => (client.getSnapshot() as { accessToken?: string }).accessToken;
    for (let i = 0; i < 20 && token(b) !== token(a); i++) await clock.flush();
    expect(token(b)).toBe(token(a));
    expect(queryClient.getQueryData(authKeys.user('x'))).toEqual(['emily data']);
  });
});

describe('refresh token in a cookie, memory storage', () => {
  const cookieConfig = (baseUrl: string) => ({ baseUrl, refreshTokenIn: 'cookie' as const, credentials: 'include' as const });

  it('survives a reload: loading, one silent refresh, then authenticated with the user from me', async () => {
    const baseUrl = 'http://cookie-reload.test';
    const { makeClient, control, clock } = setup({ baseUrl, refreshTokenFrom: 'cookie' });
    const first = makeClient(cookieConfig(baseUrl));
    await clock.flush(); // its own silent refresh at start: no cookie yet
    await first.login(emily);
    first.destroy();
    control.reset();
    const reloaded = makeClient(cookieConfig(baseUrl));
    expect(reloaded.getSnapshot()).toEqual({ status: 'loading' });
    await clock.flush();
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys', firstName: 'Emily' } });
    expect(control.counts()).toMatchObject({ refresh: 1, me: 1, login: 0 });
  });

  it('without a cookie, ends its one silent refresh unauthenticated with no reason and no error', async () => {
    const baseUrl = 'http://cookie-none.test';
    const { makeClient, control, clock } = setup({ baseUrl, refreshTokenFrom: 'cookie' });
    const client = makeClient(cookieConfig(baseUrl));
    expect(client.getSnapshot()).toEqual({ status: 'loading' });
    await clock.flush();
    expect(client.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null, error: null });
    expect(control.counts().refresh).toBe(1);
  });
});

describe('errors', () => {
  it('rejects a wrong password with an InvalidCredentialsError, which is an AuthError and passes isInvalidCredentialsError', async () => {
    const { makeClient } = setup();
    const error: unknown = await makeClient()
      .login({ username: 'emilys', password: 'wrong' })
      .catch((caught: unknown) => caught);
    expect(InvalidCredentialsError).toBeTypeOf('function');
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error).toBeInstanceOf(AuthError);
    expect(isInvalidCredentialsError(error)).toBe(true);
  });
});

describe('found in review', () => {
  it("cancels client.fetch when the caller's own signal aborts", async () => {
    const { makeClient, control, clock } = setup();
    const client = makeClient();
    await client.login(emily);
    control.setLatency('todos', 5_000);
    const controller = new AbortController();
    const pending = client.fetch('/api/todos', { signal: controller.signal });
    await clock.flush();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'auth/network' });
  });

  it('keeps the answer of a refresh on the wire when its client unmounts, so the next refresh sends the new token, not the spent one', async () => {
    const { control, clock } = setup({ accessTokenTtl: 900 });
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: false });
    const unmount = client.mount();
    await client.login(emily);
    const tokenOf = () => (client.getSnapshot() as { accessToken?: string }).accessToken;
    const before = tokenOf();
    control.setLatency('refresh', 5_000);
    const refreshing = client.refresh();
    await clock.flush(); // on the wire, waiting on the server's latency
    unmount();
    await clock.advance(5_000);
    await refreshing;
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', isRefreshing: false });
    expect(tokenOf()).not.toBe(before);
    control.setLatency('refresh', 0);
    await client.refresh();
    expect(control.requests().filter((request) => request.usedSpentRefreshToken)).toEqual([]);
    client.destroy();
  });

  it('lets a cookie probe on the wire finish across an unmount, and settles with its answer when mounted again instead of staying loading', async () => {
    const { control, clock } = setup({ refreshTokenFrom: 'cookie' });
    control.setLatency('refresh', 5_000);
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: false, refreshTokenIn: 'cookie' });
    const unmount = client.mount(); // the probe goes out and waits on the server's latency
    await clock.flush();
    unmount(); // the last unmount stops the client a microtask later; the probe is a refresh on the wire, and goes on
    await clock.flush();
    expect(client.getSnapshot().status).toBe('loading');
    client.mount();
    await clock.advance(5_000);
    expect(client.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null, error: null });
    // One probe: its answer (a rotated cookie, with a server that rotates) was not thrown away and sent again.
    expect(control.counts().refresh).toBe(1);
    client.destroy();
  });

});
