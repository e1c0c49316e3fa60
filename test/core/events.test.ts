import { describe, expect, it } from 'vitest';
import type { AuthEventMap } from '../../src/core';
import { MINUTE, emily, michael, setup, startMswServer } from '../harness';

startMswServer();

type Log = Array<[keyof AuthEventMap<unknown>, unknown]>;

function listen(client: ReturnType<ReturnType<typeof setup>['makeClient']>) {
  const log: Log = [];
  for (const type of ['login', 'refresh', 'logout', 'error'] as const) client.on(type, (payload) => log.push([type, payload]));
  return log;
}

describe('client.on', () => {
  it('tells of a login with the authenticated session', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    const log = listen(client);
    await client.login(emily);
    expect(log).toEqual([['login', expect.objectContaining({ status: 'authenticated', user: expect.objectContaining({ username: 'emilys' }) })]]);
  });

  it('tells of a refresh with the new access token, once per rotation', async () => {
    const { makeClient, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    const first = await client.login(emily);
    const log = listen(client);
    await clock.advance(14 * MINUTE);
    expect(log).toHaveLength(1);
    expect(log[0]![0]).toBe('refresh');
    expect((log[0]![1] as { accessToken: string }).accessToken).not.toBe(first.accessToken);
  });

  it('tells of a logout with its reason', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    await client.login(emily);
    const log = listen(client);
    await client.logout();
    expect(log).toEqual([['logout', { reason: 'logged-out', error: null }]]);
  });

  it('tells of a user switch as a login of the new user', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    await client.login(emily);
    const log = listen(client);
    await client.login(michael);
    expect(log.map(([type, payload]) => [type, (payload as { user: { username: string } }).user.username])).toEqual([['login', 'michaelw']]);
  });

  it('tells of a background failure as an error, as onError does', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    const log = listen(client);
    control.failNext('refresh', 1, 'network');
    await clock.advance(14 * MINUTE);
    expect(log).toEqual([['error', expect.objectContaining({ code: 'auth/network' })]]);
  });

  it('keeps the engine and the other listeners going when a listener throws', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    client.on('login', () => {
      throw new Error('app bug');
    });
    const log = listen(client);
    await expect(client.login(emily)).resolves.toMatchObject({ status: 'authenticated' });
    expect(log).toHaveLength(1);
  });

  it('stops telling once the listener is removed', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    const log: string[] = [];
    const off = client.on('login', () => log.push('login'));
    off();
    await client.login(emily);
    expect(log).toEqual([]);
  });
});

describe('client.whenReady', () => {
  it('is the same promise on every call', () => {
    const { makeClient } = setup();
    const client = makeClient({ storage: { get: async () => null, set: () => undefined, remove: () => undefined } });
    expect(client.whenReady()).toBe(client.whenReady());
  });

  it('settles with the restored session once an async storage answered', async () => {
    const { makeClient, control } = setup();
    const stored = makeClient({ storage: 'sessionStorage' });
    await stored.login(emily);
    const raw = sessionStorage.getItem('authloop.session');
    sessionStorage.clear();
    let answer = (_value: string | null) => {};
    const client = makeClient({ storage: { get: () => new Promise<string | null>((resolve) => (answer = resolve)), set: () => undefined, remove: () => undefined } });
    expect(client.getSnapshot().status).toBe('loading');
    const ready = client.whenReady();
    answer(raw);
    await expect(ready).resolves.toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
    expect(control.counts().refresh).toBe(0);
  });

  it('settles at once, signed out, with memory storage', async () => {
    const { makeClient } = setup();
    await expect(makeClient().whenReady()).resolves.toEqual({ status: 'unauthenticated', reason: null, error: null });
  });
});
