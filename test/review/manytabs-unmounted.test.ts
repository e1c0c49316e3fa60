import { afterEach, describe, expect, it } from 'vitest';
import { createAuthClient, type StorageAdapter } from '../../src/core';
import { CLAIM_WINDOW_MS } from '../../src/core/tabSync';
import { FakeLockManager } from '../reliability/webLocks';
import { BASE_URL, MINUTE, emily, setup, startMswServer } from '../harness';

startMswServer();

// Messages on the tab channel, as another tab hears them.
function listen(key: string) {
  const heard: string[] = [];
  const channel = new BroadcastChannel(`authloop:${key}`);
  channel.onmessage = (event: MessageEvent<{ message?: { type?: string } }>) => void heard.push(String(event.data?.message?.type));
  return { heard, close: () => channel.close() };
}

function settledFlag(promise: Promise<unknown>) {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

// Web Locks for this page, after the spec (the model's fake), with another tab as a second owner.
function installLocks() {
  const manager = new FakeLockManager<{ destroyed: boolean }>((_owner, work) => work());
  const here = { destroyed: false };
  Object.defineProperty(navigator, 'locks', { value: manager.forTab(here), configurable: true });
  return manager;
}

afterEach(() => {
  delete (navigator as { locks?: unknown }).locks;
});

describe('a refresh of an unmounted client, then destroy() (review)', () => {
  it('leaves no timer and no open channel behind, and settles the refresh, when destroyed during the introduction wait', async () => {
    const { clock } = setup();
    const key = `unmounted-${Math.random()}`;
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storageKey: key });
    await client.login(emily); // never mounted: works on demand
    const other = listen(key);
    const baseline = clock.pendingTimers();
    const refreshing = settledFlag(client.refresh());
    await clock.flush();
    expect(other.heard).toContain('hello'); // the refresh opened the channel
    client.destroy();
    await clock.flush();
    // "destroy() stops everything and aborts what is in flight, a refresh too"
    expect(clock.pendingTimers()).toBe(baseline);
    expect(other.heard).toContain('bye');
    expect(refreshing.settled).toBe(true);
    other.close();
  });

  it('withdraws its request for the Web Lock when destroyed, instead of holding a place in the queue for requestTimeoutMs', async () => {
    const locks = installLocks();
    const { clock } = setup();
    const key = `unmounted-${Math.random()}`;
    // Another tab is refreshing: it holds the refresh lock.
    const elsewhere = { destroyed: false };
    let release = () => {};
    void locks.request(elsewhere, `authloop:refresh:${key}`, {}, () => new Promise<void>((resolve) => (release = resolve)));
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storageKey: key });
    await client.login(emily);
    await clock.advance(MINUTE);
    const refreshing = settledFlag(client.refresh());
    await clock.advance(200); // past the introduction wait: now queued for the lock
    expect(locks.query().pending).toHaveLength(1);
    client.destroy();
    await clock.flush();
    expect(locks.query().pending).toEqual([]);
    expect(refreshing.settled).toBe(true);
    release();
  });

  it('control: a mounted client that is destroyed withdraws its request for the Web Lock', async () => {
    const locks = installLocks();
    const { clock } = setup();
    const key = `unmounted-${Math.random()}`;
    const elsewhere = { destroyed: false };
    let release = () => {};
    void locks.request(elsewhere, `authloop:refresh:${key}`, {}, () => new Promise<void>((resolve) => (release = resolve)));
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storageKey: key });
    client.mount();
    await client.login(emily);
    await clock.advance(MINUTE);
    const refreshing = settledFlag(client.refresh());
    await clock.advance(200);
    expect(locks.query().pending).toHaveLength(1);
    client.destroy();
    await clock.flush();
    expect(locks.query().pending).toEqual([]);
    expect(refreshing.settled).toBe(true);
    release();
  });
});

describe('a refresh of an unmounted client whose storage never answers (review)', () => {
  it('stops beating and lets the channel go once the client is destroyed', async () => {
    const { clock } = setup();
    const key = `unmounted-${Math.random()}`;
    const map = new Map<string, string>();
    let hang = false;
    const adapter: StorageAdapter = {
      get: (k) => map.get(k) ?? null,
      // An IndexedDB-backed adapter whose transaction never completes.
      set: (k, v) => (hang ? new Promise<void>(() => {}) : void map.set(k, v)),
      remove: (k) => void map.delete(k),
    };
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storage: adapter, storageKey: key });
    await client.login(emily);
    await clock.advance(MINUTE);
    hang = true;
    const other = listen(key);
    void client.refresh().catch(() => undefined);
    await clock.advance(1_000); // introduction wait, request answered; storing the new session hangs
    expect(other.heard).toContain('session');
    client.destroy();
    await clock.flush();
    other.heard.length = 0;
    await clock.advance(10_000);
    // After destroy() nothing of this client runs: no heartbeat, no timer.
    expect(other.heard).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
    other.close();
  });
});

describe('the introduction wait (review)', () => {
  it('is paid once per page load by a lone mounted tab: a refresh a minute after the mount is sent at once', async () => {
    const { clock, control } = setup();
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storageKey: `mounted-${Math.random()}` });
    client.mount();
    await client.login(emily);
    await clock.advance(MINUTE);
    void client.refresh();
    await clock.flush();
    expect(control.counts().refresh).toBe(1);
    client.destroy();
  });

  it('is paid by each refresh of a client used without mounting, which opens the channel for it: sent after CLAIM_WINDOW_MS, not before', async () => {
    const { clock, control } = setup();
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storageKey: `unmounted-${Math.random()}` });
    await client.login(emily);
    await clock.advance(MINUTE);
    void client.refresh();
    await clock.advance(CLAIM_WINDOW_MS - 1);
    expect(control.counts().refresh).toBe(0);
    await clock.advance(1);
    expect(control.counts().refresh).toBe(1);
    client.destroy();
  });
});
