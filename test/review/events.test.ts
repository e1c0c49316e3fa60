// Hostile review of events, whenReady and initialSession. Network through msw only, time
// through the test clock.
import { QueryClient } from '@tanstack/query-core';
import * as z from 'zod/v4/mini';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authKeys } from '../../src/core';
import { MINUTE, emily, michael, setup, startMswServer } from '../harness';

startMswServer();
afterEach(() => localStorage.clear());

const MICHAEL = { id: 2, username: 'michaelw', email: 'michael.williams@x.example', firstName: 'Michael', lastName: 'Williams' };

describe('review: initialSession with persistent storage', () => {
  it("never replaces the server-rendered user with another user's session left in localStorage", async () => {
    const { makeClient } = setup({ refreshTokenFrom: 'either' });
    // Emily used this browser earlier; her session is still in localStorage.
    const emilysTab = makeClient({ storage: 'localStorage' });
    await emilysTab.login(emily);
    emilysTab.destroy();
    expect(localStorage.getItem('authloop.session')).toContain('emilys');

    // Now the server renders the page for Michael (his cookie), and the client hydrates.
    const client = makeClient({ storage: 'localStorage', refreshTokenIn: 'cookie', initialSession: { user: MICHAEL } });
    const snapshot = client.getSnapshot();
    expect(snapshot).toMatchObject({ status: 'authenticated', user: { username: 'michaelw' } });
  });
});

describe('review: whenReady', () => {
  it('settles when the client is destroyed while the cookie probe is in flight', async () => {
    const { makeClient, control, clock } = setup({ refreshTokenFrom: 'cookie' });
    control.setLatency('refresh', 5_000);
    const client = makeClient({ refreshTokenIn: 'cookie' });
    expect(client.getSnapshot().status).toBe('loading');
    const settled = vi.fn();
    client.whenReady().then(settled, settled);
    await clock.advance(1);
    client.destroy();
    await clock.advance(MINUTE);
    expect(settled).toHaveBeenCalled();
  });
});

describe('review: client.on', () => {
  it('does not call a listener that an earlier listener removed during the same emit (EventTarget semantics)', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    const second = vi.fn();
    let offSecond = () => {};
    client.on('login', () => offSecond());
    offSecond = client.on('login', second);
    await client.login(emily);
    // Count only: the payload holds a token, which must not reach the test output.
    expect(second.mock.calls.length).toBe(0);
  });

  it('tells of each user switch exactly once, and of no refresh in between', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    const log: string[] = [];
    for (const type of ['login', 'refresh', 'logout'] as const) client.on(type, () => log.push(type));
    await client.login(emily);
    await client.login(michael);
    await client.logout();
    expect(log).toEqual(['login', 'login', 'logout']);
  });
});

describe('review: a user with no id, sub or username', () => {
  it("keeps the app's queries when this tab adopts the same user's refreshed session from storage", async () => {
    const { makeClient, clock } = setup({ accessTokenTtl: 900 });
    // A schema that keeps only what the app shows: getUserId finds nothing to tell users apart by.
    const user = z.object({ email: z.string(), firstName: z.string() });
    const queryClient = new QueryClient();
    const tabA = makeClient({ storage: 'localStorage', schemas: { user }, queryClient });
    await tabA.login(emily);
    queryClient.setQueryData([...authKeys.all, 'todos'], ['buy milk']);
    // A second client on the same storage (another tab, crossTab off) refreshes first.
    const tabB = makeClient({ storage: 'localStorage', schemas: { user } });
    expect(tabB.getSnapshot().status).toBe('authenticated');
    await tabB.refresh();
    // Tab A's refresh finds B's newer session in storage and adopts it instead of spending the token.
    await tabA.refresh();
    expect(tabA.getSnapshot()).toMatchObject({ status: 'authenticated' });
    expect(queryClient.getQueryData([...authKeys.all, 'todos'])).toEqual(['buy milk']);
    void clock;
  });
});

describe('review: initialSession and the user the cookie belongs to', () => {
  it("does not keep showing the server-rendered user once me says the cookie's session is someone else's", async () => {
    const { makeClient, control } = setup({ refreshTokenFrom: 'cookie' });
    const issued = await control.issueSession('emilys');
    const withCookie: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      request.headers.set('Cookie', `refreshToken=${issued.refreshToken}`);
      return fetch(request);
    };
    // A stale page (bfcache, a CDN, another tab's switch) rendered Michael; the browser's cookie is Emily's.
    const client = makeClient({ refreshTokenIn: 'cookie', initialSession: { user: MICHAEL }, fetch: withCookie });
    const me = await client.fetchMe();
    expect(me.username).toBe('emilys');
    const snapshot = client.getSnapshot();
    expect(snapshot.status === 'authenticated' ? snapshot.user.username : snapshot.status).not.toBe('michaelw');
  });
});
