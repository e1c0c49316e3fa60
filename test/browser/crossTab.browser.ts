import { setupWorker } from 'msw/browser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuthClient, type AuthClient } from '../../src/core';
import { CLAIM_WINDOW_MS } from '../../src/core/tabSync';
import { createAuthHandlers, createTestClock, type AuthHandlersControl, type TestClock } from '../../src/testing';

// Real Chromium: a real BroadcastChannel between two clients, real Web Locks
// (navigator.locks), a real service worker answering for the fake server, and real
// document events. Two clients on one storage key behave as two tabs of one origin.

const worker = setupWorker();
beforeAll(() => worker.start({ quiet: true, onUnhandledRequest: 'error' }));
afterAll(() => worker.stop());

let clients: AuthClient[] = [];
afterEach(() => {
  clients.forEach((client) => client.destroy());
  clients = [];
  worker.resetHandlers();
  localStorage.clear();
});

const emily = { username: 'emilys', password: 'emilyspass' };

interface Tabs {
  a: AuthClient;
  b: AuthClient;
  clock: TestClock;
  control: AuthHandlersControl;
}

async function twoTabs(storage: 'memory' | 'localStorage' = 'memory'): Promise<Tabs> {
  const clock = createTestClock(Date.now());
  const { handlers, control } = createAuthHandlers({ baseUrl: '', clock, accessTokenTtl: 900 });
  worker.use(...handlers);
  const key = `tabs-${crypto.randomUUID()}`;
  const make = () => createAuthClient({ baseUrl: '', clock, storage, storageKey: key });
  const a = make();
  const b = make();
  clients.push(a, b);
  // Mounted as <AuthProvider> mounts them: each listens to the other from here on.
  a.mount();
  b.mount();
  // Tabs open a while: a refresh right after a tab's channel opens first waits for the answers to its hello.
  await clock.advance(CLAIM_WINDOW_MS);
  return { a, b, clock, control };
}

/** Waits for messages between the two clients: real tasks, bounded, no timers. */
async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  expect(check()).toBe(true);
}

const tokenOf = (client: AuthClient) => {
  const snapshot = client.getSnapshot();
  return snapshot.status === 'authenticated' ? snapshot.accessToken : null;
};

describe('two tabs in Chromium', () => {
  it('has the browser features under test', () => {
    expect(typeof BroadcastChannel).toBe('function');
    expect(navigator.locks).toBeDefined();
  });

  it('signs the other tab in through BroadcastChannel', async () => {
    const { a, b } = await twoTabs();
    await a.login(emily);
    await until(() => b.getSnapshot().status === 'authenticated');
    expect(tokenOf(b)).toBe(tokenOf(a));
  });

  it('signs the other tab out with reason other-tab', async () => {
    const { a, b } = await twoTabs();
    await a.login(emily);
    await until(() => b.getSnapshot().status === 'authenticated');
    await a.logout();
    await until(() => b.getSnapshot().status === 'unauthenticated');
    expect(b.getSnapshot()).toMatchObject({ reason: 'other-tab' });
  });

  it.each(['memory', 'localStorage'] as const)(
    'sends one refresh when both tabs refresh at the same instant (Web Locks, %s storage)',
    async (storage) => {
      const { a, b, control } = await twoTabs(storage);
      await a.login(emily);
      await until(() => b.getSnapshot().status === 'authenticated');
      await Promise.all([a.refresh(), b.refresh()]);
      await until(() => tokenOf(a) === tokenOf(b));
      expect(control.counts().refresh).toBe(1);
      expect(control.requests().filter((entry) => entry.usedSpentRefreshToken)).toEqual([]);
    },
  );

  it('ends the waiting tab with reason other-tab, without a refresh of its own, when the refresh is refused', async () => {
    const { a, b, control } = await twoTabs();
    await a.login(emily);
    await until(() => b.getSnapshot().status === 'authenticated');
    control.revokeAll();
    await Promise.allSettled([a.refresh(), b.refresh()]);
    expect(control.counts().refresh).toBe(1);
    expect(b.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'other-tab' });
  });

  it('runs an overdue refresh when the document fires visibilitychange', async () => {
    const { a, clock, control } = await twoTabs();
    await a.login(emily);
    a.subscribe(() => undefined);
    clock.jump(20 * 60_000);
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    await until(() => control.counts().refresh === 1);
    await until(() => a.getSnapshot().status === 'authenticated' && !(a.getSnapshot() as { isRefreshing: boolean }).isRefreshing);
  });
});
