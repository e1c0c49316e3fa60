import { focusManager, onlineManager } from '@tanstack/query-core';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE_URL, MINUTE, emily, server, setup, startMswServer } from '../harness';

startMswServer();

afterEach(() => {
  focusManager.setFocused(undefined);
  onlineManager.setOnline(true);
});

describe('single flight', () => {
  it('serves any number of concurrent callers with exactly one refresh request', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    clock.jump(15 * MINUTE); // asleep past expiry: every caller needs a refresh
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => client.getAccessToken()),
      ...Array.from({ length: 10 }, () => client.fetchMe()),
      ...Array.from({ length: 10 }, () => client.fetch('/api/todos')),
    ]);
    expect(control.counts().refresh).toBe(1);
    expect(new Set(tokens.slice(0, 10)).size).toBe(1);
    expect(control.expiredAccessTokenRequests()).toBe(0);
  });
});

describe('wake-ups', () => {
  it('runs an overdue refresh at once when the tab becomes visible', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    focusManager.setFocused(false);
    // The wall clock moves 20 minutes while the throttled timer has not fired.
    clock.jump(20 * MINUTE);
    expect(control.counts().refresh).toBe(0);
    focusManager.setFocused(true);
    await clock.flush();
    expect(control.counts().refresh).toBe(1);
    expect(client.getSnapshot().status).toBe('authenticated');
  });

  it('runs an overdue refresh at once when the network comes back', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    onlineManager.setOnline(false);
    clock.jump(20 * MINUTE);
    onlineManager.setOnline(true);
    await clock.flush();
    expect(control.counts().refresh).toBe(1);
  });

  it('does nothing on a wake-up before the deadline', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    focusManager.setFocused(false);
    focusManager.setFocused(true);
    await clock.flush();
    expect(control.counts().refresh).toBe(0);
  });
});

describe('failures', () => {
  it('keeps the session through network failures, retrying with backoff until one succeeds', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const errors: string[] = [];
    const client = makeClient({ onError: (error) => errors.push(error.code) });
    await client.login(emily);
    control.failNext('refresh', 3, 'network');
    await clock.advance(14 * MINUTE); // attempt 1 fails
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', isRefreshing: false });
    await clock.advance(1_000); // attempt 2 after 1 s
    await clock.advance(2_000); // attempt 3 after 2 s more
    expect(control.counts().refresh).toBe(3);
    await clock.advance(4_000); // attempt 4 succeeds
    expect(control.counts().refresh).toBe(4);
    expect(errors).toEqual(['auth/network', 'auth/network', 'auth/network']);
    expect(client.getSnapshot().status).toBe('authenticated');
    await clock.advance(14 * MINUTE);
    expect(control.counts().refresh).toBe(5);
  });

  it('gives up on a refresh that never answers after the request timeout, and retries', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const errors: string[] = [];
    const client = makeClient({ requestTimeoutMs: 10_000, onError: (error) => errors.push(error.code) });
    await client.login(emily);
    control.setLatency('refresh', 60 * MINUTE);
    await clock.advance(14 * MINUTE + 10_000);
    expect(errors).toEqual(['auth/network']);
    control.setLatency('refresh', 0);
    await clock.advance(1_000);
    expect(client.getSnapshot().status).toBe('authenticated');
    expect(control.counts().refresh).toBe(2);
  });

  it('rejects refresh() on a client destroyed before first use with an AuthError, not a TypeError', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    client.destroy();
    await expect(client.refresh()).rejects.toMatchObject({ code: 'auth/destroyed' });
  });

  it('treats a 503 on refresh as transient', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    control.failNext('refresh', 1, { status: 503 });
    await clock.advance(14 * MINUTE + 1_000);
    expect(control.counts().refresh).toBe(2);
    expect(client.getSnapshot().status).toBe('authenticated');
  });

  it('ends the session with reason revoked when the server revoked the refresh token', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    control.revokeAll();
    await clock.advance(14 * MINUTE);
    expect(client.getSnapshot()).toMatchObject({
      status: 'unauthenticated',
      reason: 'revoked',
      error: { code: 'auth/refresh_rejected', status: 401 },
    });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('ends the session with reason expired when the refresh token expired while asleep', async () => {
    const { makeClient, clock } = setup({ accessTokenTtl: 900, refreshTokenTtl: 3600 });
    const client = makeClient();
    await client.login(emily);
    clock.jump(2 * 60 * MINUTE);
    expect(await client.getAccessToken()).toBeNull();
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'expired' });
  });

  it('never sends a rotated refresh token twice', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    for (let i = 0; i < 5; i++) await clock.advance(14 * MINUTE);
    expect(control.requests().filter((r) => r.usedSpentRefreshToken)).toEqual([]);
    expect(control.counts().refresh).toBe(5);
  });
});

describe('tokens without exp', () => {
  it('sets no timer and refreshes when a request meets a 401', async () => {
    const { makeClient, clock } = setup();
    let refreshes = 0;
    server.use(
      http.post(`${BASE_URL}/auth/login`, () =>
        HttpResponse.json({
          id: 1, username: 'emilys', email: 'e@x.example', firstName: 'Emily', lastName: 'Johnson',
          accessToken: 'opaque-access', refreshToken: 'opaque-refresh',
        }),
      ),
      http.post(`${BASE_URL}/auth/refresh`, () => {
        refreshes += 1;
        return HttpResponse.json({ accessToken: 'opaque-access-2', refreshToken: 'opaque-refresh-2' });
      }),
      http.get(`${BASE_URL}/api/opaque`, ({ request }) =>
        request.headers.get('Authorization') === 'Bearer opaque-access-2'
          ? HttpResponse.json({ ok: true })
          : HttpResponse.json({ code: 'auth/token_expired' }, { status: 401 }),
      ),
    );
    const client = makeClient({ opaqueTokens: true });
    await client.login(emily);
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', expiresAt: null });
    expect(clock.pendingTimers()).toBe(0);
    const response = await client.fetch('/api/opaque');
    expect(response.status).toBe(200);
    expect(refreshes).toBe(1);
  });

  it('uses expiresIn from the response when the token has no exp', async () => {
    const { makeClient, clock } = setup();
    server.use(
      http.post(`${BASE_URL}/auth/login`, () =>
        HttpResponse.json({
          id: 1, username: 'emilys', email: 'e@x.example', firstName: 'Emily', lastName: 'Johnson',
          accessToken: 'opaque', refreshToken: 'r', expiresIn: 600,
        }),
      ),
    );
    const client = makeClient({ opaqueTokens: true });
    await client.login(emily);
    expect(client.getSnapshot()).toMatchObject({ expiresAt: clock.now() + 600_000 });
  });
});

describe('authFetch', () => {
  it('answers a 401 with one refresh and one retry', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    await client.login(emily);
    control.failNext('todos', 1, { status: 401 });
    const response = await client.fetch('/api/todos');
    expect(response.status).toBe(200);
    expect(control.counts()).toMatchObject({ todos: 2, refresh: 1 });
  });

  it('returns a second 401 instead of looping', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    await client.login(emily);
    control.failNext('todos', 5, { status: 401 });
    const response = await client.fetch('/api/todos');
    expect(response.status).toBe(401);
    expect(control.counts()).toMatchObject({ todos: 2, refresh: 1 });
  });

  it('resends the request body on the retry', async () => {
    const { makeClient, control } = setup();
    const bodies: string[] = [];
    server.use(
      http.post(`${BASE_URL}/api/echo`, async ({ request }) => {
        bodies.push(await request.text());
        return bodies.length === 1 ? HttpResponse.json({}, { status: 401 }) : HttpResponse.json({ ok: true });
      }),
    );
    const client = makeClient();
    await client.login(emily);
    const response = await client.fetch('/api/echo', { method: 'POST', body: 'payload' });
    expect(response.status).toBe(200);
    expect(bodies).toEqual(['payload', 'payload']);
    expect(control.counts().refresh).toBe(1);
  });

  it('rejects with auth/session_expired when signed out', async () => {
    const { makeClient } = setup();
    await expect(makeClient().fetch('/api/todos')).rejects.toMatchObject({ code: 'auth/session_expired' });
  });
});

describe('long-lived tokens', () => {
  it('caps the timer delay below 2^31-1 ms and re-arms it when it fires early', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 60 * 24 * 3600 });
    const delays: number[] = [];
    const setTimeout = clock.setTimeout;
    clock.setTimeout = (callback, ms) => {
      delays.push(ms);
      return setTimeout(callback, ms);
    };
    await makeClient().login(emily);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2_147_483_647);
    await clock.advance(2_147_483_647);
    expect(control.counts().refresh).toBe(0);
    expect(clock.pendingTimers()).toBe(1);
  });
});

describe('refresh token in an HttpOnly cookie', () => {
  it('refreshes without sending the refresh token in the body', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900, refreshTokenFrom: 'cookie', baseUrl: 'http://cookie.test' });
    const bodies: string[] = [];
    server.events.on('request:start', async ({ request }) => {
      if (request.url.endsWith('/auth/refresh')) bodies.push(await request.clone().text());
    });
    const client = makeClient({ baseUrl: 'http://cookie.test', refreshTokenIn: 'cookie', credentials: 'include' });
    await clock.flush(); // the silent refresh at start finds no cookie: signed out
    expect(client.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null, error: null });
    await client.login(emily);
    await clock.advance(14 * MINUTE);
    expect(control.counts().refresh).toBe(2);
    expect(client.getSnapshot().status).toBe('authenticated');
    expect(bodies).toEqual(['{}', '{}']);
    server.events.removeAllListeners();
  });
});
