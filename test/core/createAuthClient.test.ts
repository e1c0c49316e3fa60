import { describe, expect, it } from 'vitest';
import { isInvalidCredentialsError, type AuthError } from '../../src/core';
import { MINUTE, emily, setup, startMswServer } from '../harness';

startMswServer();

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    return error as AuthError;
  }
  throw new Error('expected a rejection');
}

describe('login', () => {
  it('signs in and exposes the user without its tokens', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    const session = await client.login(emily);
    expect(session.status).toBe('authenticated');
    expect(session.user).toMatchObject({ id: 1, username: 'emilys', firstName: 'Emily' });
    expect(session.user).not.toHaveProperty('accessToken');
    expect(session.user).not.toHaveProperty('refreshToken');
    expect(client.getSnapshot()).toBe(session);
  });

  it('rejects a wrong password with auth/invalid_credentials and stays signed out', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    const error = await rejection(client.login({ username: 'emilys', password: 'nope' }));
    expect(isInvalidCredentialsError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'auth/invalid_credentials', status: 401, serverCode: 'auth/invalid_credentials' });
    expect(client.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null, error: null });
  });

  it('classifies a DummyJSON-style 400 as invalid credentials through classifyError', async () => {
    const { makeClient } = setup({ invalidCredentials: 'dummyjson' });
    const client = makeClient({
      classifyError: ({ endpoint, status }) => (endpoint === 'login' && status === 400 ? 'auth/invalid_credentials' : undefined),
    });
    const error = await rejection(client.login({ username: 'emilys', password: 'nope' }));
    expect(error.code).toBe('auth/invalid_credentials');
    expect(error.status).toBe(400);
  });

  it('keeps a classifier to the codes an answer can mean: anything else is auth/http', async () => {
    const { makeClient } = setup();
    for (const classified of ['auth/storage', 'auth/forbidden'] as const) {
      const client = makeClient({ classifyError: () => classified as 'auth/storage' });
      const error = await rejection(client.login({ username: 'emilys', password: 'nope' }));
      expect(error).toMatchObject({ code: 'auth/http', status: 401 });
    }
  });

  it('calls a fetch option unbound, as window.fetch requires', async () => {
    const { makeClient } = setup();
    const unboundOnly = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
      return fetch(input, init);
    } as typeof fetch;
    const client = makeClient({ fetch: unboundOnly });
    await client.login(emily);
    await expect(client.fetchMe()).resolves.toMatchObject({ username: 'emilys' });
  });

  it('reports a 500 on login as auth/http with its status', async () => {
    const { makeClient, control } = setup();
    control.failNext('login', 1, { status: 500 });
    const error = await rejection(makeClient().login(emily));
    expect(error).toMatchObject({ code: 'auth/http', status: 500 });
  });

  it('reports an unreachable server as auth/network', async () => {
    const { makeClient, control } = setup();
    control.failNext('login', 1, 'network');
    const error = await rejection(makeClient().login(emily));
    expect(error.code).toBe('auth/network');
  });
});

describe('refresh timing', () => {
  it('refreshes 14 minutes into a 15-minute token, again 14 minutes later, and never sends an expired token', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    await clock.advance(14 * MINUTE - 1);
    expect(control.counts().refresh).toBe(0);
    await clock.advance(1);
    expect(control.counts().refresh).toBe(1);
    await clock.advance(14 * MINUTE - 1);
    expect(control.counts().refresh).toBe(1);
    await clock.advance(1);
    expect(control.counts().refresh).toBe(2);
    await client.fetchMe();
    expect(control.expiredAccessTokenRequests()).toBe(0);
  });

  it('caps the leeway at half the lifetime, so a 60-second token refreshes at 30 s', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 60 });
    await makeClient().login(emily);
    await clock.advance(30_000 - 1);
    expect(control.counts().refresh).toBe(0);
    await clock.advance(1);
    expect(control.counts().refresh).toBe(1);
  });

  it('refreshes on time when the device clock is an hour ahead of the server', async () => {
    const { clock: serverClock, makeClient, control } = setup({ accessTokenTtl: 900 });
    const { createTestClock } = await import('../../src/testing');
    const deviceClock = createTestClock(serverClock.now() + 60 * MINUTE);
    const client = makeClient({ clock: deviceClock });
    await client.login(emily);
    expect((client.getSnapshot() as { expiresAt: number }).expiresAt).toBe(deviceClock.now() + 15 * MINUTE);
    await deviceClock.advance(14 * MINUTE - 1);
    expect(control.counts().refresh).toBe(0);
    await serverClock.advance(14 * MINUTE);
    await deviceClock.advance(1);
    expect(control.counts().refresh).toBe(1);
    expect(client.getSnapshot().status).toBe('authenticated');
  });
});
