import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/core';
import { CLAIM_WINDOW_MS } from '../../src/core/tabSync';
import { BASE_URL, emily, setup, startMswServer } from '../harness';

startMswServer();

/** The shared wall clock, seen by a tab that can be frozen: while frozen, its timers wait (the wall clock does not). */
function freezable(clock: Clock) {
  let frozen = false;
  const held: (() => void)[] = [];
  const view: Clock = {
    now: () => clock.now(),
    setTimeout: (callback, ms) => clock.setTimeout(() => (frozen ? held.push(callback) : callback()), ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
  };
  return {
    clock: view,
    freeze: () => void (frozen = true),
    thaw() {
      frozen = false;
      held.splice(0).forEach((callback) => callback());
    },
  };
}

describe('without Web Locks: a tab whose claim window ran over (review 2)', () => {
  it('a tab frozen through its winning claim window and the tab that lost to it do not both give way: one refresh goes', async () => {
    const { clock, control, makeClient } = setup();
    const key = `reclaim-${Math.random()}`;
    const tabA = freezable(clock);
    const a = makeClient({ crossTab: true, storageKey: key, storage: 'memory', random: Math.random, clock: tabA.clock });
    // Another page load: its own copy of the engine (its own realm id), so the tabs claim over the channel.
    vi.resetModules();
    const other = await import('../../src/core');
    const b = other.createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storageKey: key, storage: 'memory', random: Math.random });
    const unmountB = b.mount();
    try {
      a.getSnapshot();
      b.getSnapshot();
      await clock.advance(CLAIM_WINDOW_MS);
      await a.login(emily);
      for (let i = 0; i < 5 && b.getSnapshot().status !== 'authenticated'; i++) await clock.flush();
      expect(b.getSnapshot()).toMatchObject({ status: 'authenticated' });
      await clock.advance(1_000);
      const before = control.counts().refresh;

      // A claims the refresh first, and freezes in its claim window (its timers wait, the wall clock runs).
      const refreshA = a.refresh().catch(() => undefined);
      await clock.flush();
      tabA.freeze();
      // B claims 10 ms later and, hearing A's earlier claim, waits for A.
      await clock.advance(10);
      const refreshB = b.refresh().catch(() => undefined);
      await clock.advance(300);
      // A thaws 310 ms after its claim: over 1.5 windows, so it claims anew, and now B's claim is the earlier one.
      tabA.thaw();
      let settled = 0;
      void refreshA.then(() => (settled += 1));
      void refreshB.then(() => (settled += 1));
      for (let i = 0; i < 60 && settled < 2; i++) await clock.advance(500);

      // README: the earliest claim wins; a waiting tab gives up on a silent one after 2.5 s and claims again.
      expect(control.counts().refresh - before).toBe(1);
      expect(settled).toBe(2);
      expect(a.getSnapshot()).toMatchObject({ status: 'authenticated' });
      expect((b.getSnapshot() as { accessToken?: string }).accessToken).toBe((a.getSnapshot() as { accessToken?: string }).accessToken);
    } finally {
      unmountB();
      b.destroy();
    }
  });
  it('control: the same two claims with A not frozen: one refresh goes', async () => {
    const { clock, control, makeClient } = setup();
    const key = `reclaim-${Math.random()}`;
    const tabA = freezable(clock);
    const a = makeClient({ crossTab: true, storageKey: key, storage: 'memory', random: Math.random, clock: tabA.clock });
    // Another page load: its own copy of the engine (its own realm id), so the tabs claim over the channel.
    vi.resetModules();
    const other = await import('../../src/core');
    const b = other.createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storageKey: key, storage: 'memory', random: Math.random });
    const unmountB = b.mount();
    try {
      a.getSnapshot();
      b.getSnapshot();
      await clock.advance(CLAIM_WINDOW_MS);
      await a.login(emily);
      for (let i = 0; i < 5 && b.getSnapshot().status !== 'authenticated'; i++) await clock.flush();
      expect(b.getSnapshot()).toMatchObject({ status: 'authenticated' });
      await clock.advance(1_000);
      const before = control.counts().refresh;

      // A claims the refresh first, and freezes in its claim window (its timers wait, the wall clock runs).
      const refreshA = a.refresh().catch(() => undefined);
      await clock.flush();
      // B claims 10 ms later and, hearing A's earlier claim, waits for A.
      await clock.advance(10);
      const refreshB = b.refresh().catch(() => undefined);
      await clock.advance(300);
      // A thaws 310 ms after its claim: over 1.5 windows, so it claims anew, and now B's claim is the earlier one.
      tabA.thaw();
      let settled = 0;
      void refreshA.then(() => (settled += 1));
      void refreshB.then(() => (settled += 1));
      for (let i = 0; i < 60 && settled < 2; i++) await clock.advance(500);

      // README: the earliest claim wins; a waiting tab gives up on a silent one after 2.5 s and claims again.
      expect(control.counts().refresh - before).toBe(1);
      expect(settled).toBe(2);
      expect(a.getSnapshot()).toMatchObject({ status: 'authenticated' });
      expect((b.getSnapshot() as { accessToken?: string }).accessToken).toBe((a.getSnapshot() as { accessToken?: string }).accessToken);
    } finally {
      unmountB();
      b.destroy();
    }
  });
});
