import { afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter } from '../../src/core';
import { MINUTE, emily, setup, startMswServer } from '../harness';

startMswServer();

afterEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});

const KEY = 'authloop.session';

describe('persistent storage', () => {
  it('restores a stored valid session synchronously, at the first snapshot', async () => {
    const { makeClient } = setup();
    await makeClient({ storage: 'localStorage' }).login(emily);
    const reloaded = makeClient({ storage: 'localStorage' });
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
  });

  it('is loading while an expired access token is refreshed, then authenticated', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    await makeClient({ storage: 'localStorage' }).login(emily);
    clock.jump(60 * MINUTE);
    const reloaded = makeClient({ storage: 'localStorage' });
    expect(reloaded.getSnapshot().status).toBe('loading');
    await clock.flush();
    expect(reloaded.getSnapshot().status).toBe('authenticated');
    expect(control.counts().refresh).toBe(1);
  });

  it('writes the rotated tokens back, so a reload after a refresh uses the new refresh token', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const first = makeClient({ storage: 'localStorage' });
    await first.login(emily);
    await clock.advance(14 * MINUTE);
    first.destroy();
    clock.jump(60 * MINUTE);
    const reloaded = makeClient({ storage: 'localStorage' });
    reloaded.getSnapshot();
    await clock.flush();
    expect(reloaded.getSnapshot().status).toBe('authenticated');
    expect(control.requests().filter((r) => r.usedSpentRefreshToken)).toEqual([]);
  });

  it('waits in loading for an async adapter', async () => {
    const { makeClient } = setup();
    const map = new Map<string, string>();
    const adapter: StorageAdapter = {
      get: async (key) => map.get(key) ?? null,
      set: async (key, value) => void map.set(key, value),
      remove: async (key) => void map.delete(key),
    };
    await makeClient({ storage: adapter }).login(emily);
    const reloaded = makeClient({ storage: adapter });
    expect(reloaded.getSnapshot().status).toBe('loading');
    expect(await reloaded.getAccessToken()).toEqual(expect.any(String));
    expect(reloaded.getSnapshot().status).toBe('authenticated');
  });

  it('treats garbage in storage as no session and removes it', () => {
    const { makeClient } = setup();
    localStorage.setItem(KEY, '{"v":1,"accessToken":42');
    const client = makeClient({ storage: 'localStorage' });
    expect(client.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null, error: null });
    expect(localStorage.getItem(KEY)).toBeNull();
  });

  it('keeps the session in memory and reports auth/storage when storage throws', async () => {
    const { makeClient } = setup();
    const errors: string[] = [];
    const full: StorageAdapter = {
      get: () => null,
      set: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
      remove: () => undefined,
    };
    const client = makeClient({ storage: full, onError: (error) => errors.push(error.code) });
    await client.login(emily);
    expect(client.getSnapshot().status).toBe('authenticated');
    expect(errors).toEqual(['auth/storage']);
  });

  it('reports a failed write once, even when removing the stale copy fails too', async () => {
    const { makeClient } = setup();
    const errors: string[] = [];
    const broken = () => {
      throw new DOMException('disabled', 'SecurityError');
    };
    const client = makeClient({ storage: { get: () => null, set: broken, remove: broken }, onError: (error) => errors.push(error.code) });
    await client.login(emily);
    expect(errors).toEqual(['auth/storage']);
  });

  it('stays signed out when the user logs out while a refresh reads storage', async () => {
    const { makeClient } = setup({ accessTokenTtl: 900 });
    const map = new Map<string, string>();
    let hold: Promise<void> | null = null;
    let reachedRead = () => {};
    const adapter: StorageAdapter = {
      // Holds one read, the refresh's: the logout's own read of what to remove goes through.
      get: async (key) => {
        const value = map.get(key) ?? null;
        const held = hold;
        hold = null;
        if (held) {
          reachedRead();
          await held;
        }
        return value;
      },
      set: async (key, value) => void map.set(key, value),
      remove: async (key) => void map.delete(key),
    };
    const first = makeClient({ storage: adapter });
    await first.login(emily);
    const second = makeClient({ storage: adapter });
    await second.getAccessToken();
    await first.refresh(); // storage now holds tokens the second client has not adopted yet
    let release = () => {};
    hold = new Promise((resolve) => (release = resolve));
    const reading = new Promise<void>((resolve) => (reachedRead = resolve));
    const refreshing = second.refresh().catch(() => undefined);
    await reading;
    await second.logout();
    release();
    await refreshing;
    expect(second.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'logged-out' });
  });

  it('removes the stored session when writing rotated tokens fails, so a reload never presents a spent refresh token', async () => {
    const { makeClient, clock } = setup({ accessTokenTtl: 900 });
    const map = new Map<string, string>();
    let full = false;
    const adapter: StorageAdapter = {
      get: (key) => map.get(key) ?? null,
      set: (key, value) => {
        if (full) throw new DOMException('quota', 'QuotaExceededError');
        map.set(key, value);
      },
      remove: (key) => void map.delete(key),
    };
    const client = makeClient({ storage: adapter, onError: () => undefined });
    await client.login(emily);
    full = true;
    await clock.advance(14 * MINUTE);
    expect(client.getSnapshot().status).toBe('authenticated');
    expect(map.has(KEY)).toBe(false);
  });

  it('writes nothing after destroy(), even when a refresh was in flight', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient({ storage: 'localStorage' });
    await client.login(emily);
    const stored = localStorage.getItem(KEY);
    control.setLatency('refresh', 2_000);
    await clock.advance(14 * MINUTE);
    client.destroy();
    await clock.advance(2_000);
    expect(control.counts().refresh).toBe(1);
    expect(localStorage.getItem(KEY)).toBe(stored);
  });

  it('ends a stored session whose access token expired and which has no refresh token', () => {
    const { makeClient, clock } = setup();
    localStorage.setItem(
      KEY,
      JSON.stringify({ v: 1, user: { id: 1, username: 'u', email: 'e', firstName: 'f', lastName: 'l' }, accessToken: 'a', refreshToken: null, expiresAt: clock.now() - 1, refreshAt: null }),
    );
    const client = makeClient({ storage: 'localStorage' });
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'expired' });
    expect(localStorage.getItem(KEY)).toBeNull();
  });
});

describe('logout', () => {
  it.each(['localStorage', 'sessionStorage'] as const)('removes the session from %s', async (storage) => {
    const { makeClient } = setup();
    const client = makeClient({ storage });
    await client.login(emily);
    expect(window[storage].getItem(KEY)).not.toBeNull();
    await client.logout();
    expect(window[storage].getItem(KEY)).toBeNull();
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'logged-out' });
  });

  it('drops a refresh that was in flight when the user logged out', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient({ storage: 'localStorage' });
    await client.login(emily);
    control.setLatency('refresh', 5_000);
    await clock.advance(14 * MINUTE);
    await client.logout();
    await clock.advance(5_000);
    expect(control.counts().refresh).toBe(1);
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'logged-out' });
    expect(localStorage.getItem(KEY)).toBeNull();
  });

  it('removes the auth queries of a bound QueryClient', async () => {
    const { QueryClient } = await import('@tanstack/query-core');
    const { authKeys } = await import('../../src/core');
    const queryClient = new QueryClient();
    const { makeClient } = setup();
    const client = makeClient({ queryClient });
    await client.login(emily);
    queryClient.setQueryData(authKeys.me(1), { username: 'emilys' });
    queryClient.setQueryData(['public'], 'kept');
    await client.logout();
    expect(queryClient.getQueryCache().findAll({ queryKey: authKeys.all })).toEqual([]);
    expect(queryClient.getQueryData(['public'])).toBe('kept');
  });

  it('clears the whole cache with clearCacheOnLogout', async () => {
    const { QueryClient } = await import('@tanstack/query-core');
    const queryClient = new QueryClient();
    const { makeClient } = setup();
    const client = makeClient({ queryClient, clearCacheOnLogout: true });
    await client.login(emily);
    queryClient.setQueryData(['projects'], ['emily project']);
    await client.logout();
    expect(queryClient.getQueryCache().getAll()).toEqual([]);
  });
});

describe('server logout', () => {
  it('tells the server with the refresh token and the bearer after clearing the session', async () => {
    const { http, HttpResponse } = await import('msw');
    const { BASE_URL, server } = await import('../harness');
    const seen: Array<{ body: string; authorization: string | null; statusAtCall: string }> = [];
    const { makeClient } = setup();
    const client = makeClient({ paths: { logout: '/auth/logout' } });
    server.use(
      http.post(`${BASE_URL}/auth/logout`, async ({ request }) => {
        seen.push({ body: await request.text(), authorization: request.headers.get('Authorization'), statusAtCall: client.getSnapshot().status });
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const session = await client.login(emily);
    await client.logout();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.authorization).toBe(`Bearer ${session.accessToken}`);
    expect(JSON.parse(seen[0]!.body)).toEqual({ refreshToken: expect.any(String) });
    expect(seen[0]!.statusAtCall).toBe('unauthenticated');
  });

  it('still signs out locally when the server cannot be reached, and reports it', async () => {
    const { http, HttpResponse } = await import('msw');
    const { BASE_URL, server } = await import('../harness');
    server.use(http.post(`${BASE_URL}/auth/logout`, () => HttpResponse.error()));
    const errors: string[] = [];
    const { makeClient } = setup();
    const client = makeClient({ paths: { logout: '/auth/logout' }, storage: 'localStorage', onError: (error) => errors.push(error.code) });
    await client.login(emily);
    await client.logout();
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'logged-out' });
    expect(localStorage.getItem(KEY)).toBeNull();
    expect(errors).toEqual(['auth/network']);
  });

  it('sends nothing without paths.logout', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    await client.login(emily);
    await client.logout();
    expect(control.counts()).toMatchObject({ login: 1, refresh: 0, me: 0 });
  });
});
