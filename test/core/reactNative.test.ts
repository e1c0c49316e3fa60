// @vitest-environment node
import { HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, emily, setup, startMswServer } from '../harness';

// React Native has no DOMException, window, document or BroadcastChannel, and a navigator
// without locks. Each is taken away for this file and given back after it.

startMswServer();

const REMOVED = ['DOMException', 'window', 'document', 'BroadcastChannel', 'navigator'] as const;
const saved = new Map<string, PropertyDescriptor | undefined>();
const globals = globalThis as Record<string, unknown>;

beforeAll(() => {
  for (const name of REMOVED) {
    saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    delete globals[name];
  }
  Object.defineProperty(globalThis, 'navigator', { value: { product: 'ReactNative' }, configurable: true, writable: true });
});

afterAll(() => {
  for (const [name, descriptor] of saved) {
    delete globals[name];
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
  }
});

const TIMEOUT_MS = 10_000;

/** The next refresh is answered only after twice the request timeout. */
function answerNextRefreshLate(control: ReturnType<typeof setup>['control'], clock: ReturnType<typeof setup>['clock']) {
  control.respondNext('refresh', 1, () => new Promise<Response>((resolve) => clock.setTimeout(() => resolve(HttpResponse.json({ message: 'late' }, { status: 503 })), 2 * TIMEOUT_MS)));
}

describe('React Native globals', () => {
  it('has none of the browser globals here', () => {
    expect([typeof DOMException, typeof window, typeof document, typeof BroadcastChannel, typeof (navigator as { locks?: unknown }).locks]).toEqual(
      Array(5).fill('undefined'),
    );
  });

  it('rejects a refresh that outlives requestTimeoutMs with auth/network', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient({ crossTab: true, requestTimeoutMs: TIMEOUT_MS });
    await client.login(emily);
    answerNextRefreshLate(control, clock);
    const refresh = client.refresh().then(
      () => null,
      (error: unknown) => error,
    );
    await clock.advance(TIMEOUT_MS);
    expect(await refresh).toMatchObject({ name: 'AuthError', code: 'auth/network' });
  });

  it('refreshes on time after a refresh timed out: the retry is not blocked and brings new tokens', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient({ crossTab: true, requestTimeoutMs: TIMEOUT_MS });
    const login = await client.login(emily);
    answerNextRefreshLate(control, clock);
    await clock.advance(14 * MINUTE); // the deadline: the first refresh goes, and hangs
    expect(control.counts().refresh).toBe(1);
    await clock.advance(TIMEOUT_MS + 1_000); // the timeout, then the retry after its backoff (at most 1 s)
    expect(control.counts().refresh).toBe(2);
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', isRefreshing: false });
    expect((client.getSnapshot() as { accessToken: string }).accessToken).not.toBe(login.accessToken);
  });
});
