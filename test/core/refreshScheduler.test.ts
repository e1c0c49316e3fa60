import { describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/core/errors';
import { MAX_TIMER_DELAY_MS, createRefreshScheduler, type WakeUpSources } from '../../src/core/refreshScheduler';
import { createTestClock, type TestClock } from '../../src/testing/createTestClock';

/** Wake-up sources the test fires by hand, counting who is listening. */
function fakeWakeUps() {
  const focus = new Set<() => void>();
  const online = new Set<() => void>();
  const subscribe = (listeners: Set<() => void>) => (listener: () => void) => {
    const own = () => listener(); // one entry per subscription, even for the same function
    listeners.add(own);
    return () => void listeners.delete(own);
  };
  const sources: WakeUpSources = { onFocus: subscribe(focus), onOnline: subscribe(online) };
  return {
    sources,
    listening: () => ({ focus: focus.size, online: online.size }),
    focus: () => [...focus].forEach((listener) => listener()),
    online: () => [...online].forEach((listener) => listener()),
  };
}

function setup({ random = () => 0.5, clock = createTestClock() }: { random?: () => number; clock?: TestClock } = {}) {
  const wakeUps = fakeWakeUps();
  const onDue = vi.fn();
  const scheduler = createRefreshScheduler({ clock, wakeUps: wakeUps.sources, random, onDue });
  return { clock, wakeUps, onDue, scheduler };
}

const networkError = () => new AuthError('auth/network');

describe('the deadline timer', () => {
  it('calls onDue at the deadline, not a millisecond before', async () => {
    const { clock, onDue, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 1_000);
    await clock.advance(999);
    expect(onDue).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('calls onDue at once for a deadline already past', async () => {
    const { clock, onDue, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() - 5_000);
    await clock.advance(0);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('arms nothing before start()', async () => {
    const { clock, onDue, scheduler } = setup();
    scheduler.setDeadline(clock.now() + 1_000);
    await clock.advance(10_000);
    expect(onDue).not.toHaveBeenCalled();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('arms a deadline set before start() once started', async () => {
    const { clock, onDue, scheduler } = setup();
    scheduler.setDeadline(clock.now() + 1_000);
    scheduler.start();
    await clock.advance(1_000);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('fires nothing after stop(), and leaves no timer behind', async () => {
    const { clock, onDue, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 1_000);
    scheduler.stop();
    await clock.advance(10_000);
    expect(onDue).not.toHaveBeenCalled();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps the deadline across stop() and start()', async () => {
    const { clock, onDue, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 1_000);
    scheduler.stop();
    scheduler.start();
    await clock.advance(1_000);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('replaces the timer when the deadline moves, so only the new one fires', async () => {
    const { clock, onDue, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 1_000);
    scheduler.setDeadline(clock.now() + 5_000);
    await clock.advance(4_999);
    expect(onDue).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('drops the timer when the deadline becomes null', async () => {
    const { clock, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 1_000);
    scheduler.setDeadline(null);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('caps a longer wait at 2^31-1 ms, the most a browser timer can hold', () => {
    const base = createTestClock();
    const delays: number[] = [];
    const clock: TestClock = { ...base, setTimeout: (callback, ms) => (delays.push(ms), base.setTimeout(callback, ms)) };
    const { scheduler } = setup({ clock });
    scheduler.start();
    scheduler.setDeadline(base.now() + 100 * 24 * 60 * 60_000); // 100 days
    expect(MAX_TIMER_DELAY_MS).toBe(2 ** 31 - 1);
    expect(delays).toEqual([MAX_TIMER_DELAY_MS]);
  });

  it('fires a capped timer after 2^31-1 ms, so the caller can wait on', async () => {
    const { clock, onDue, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 100 * 24 * 60 * 60_000);
    await clock.advance(MAX_TIMER_DELAY_MS - 1);
    expect(onDue).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(onDue).toHaveBeenCalledTimes(1);
  });
});

describe('wake-ups', () => {
  it('subscribes to nothing before start()', () => {
    const { clock, wakeUps, scheduler } = setup();
    scheduler.setDeadline(clock.now() + 1_000);
    expect(wakeUps.listening()).toEqual({ focus: 0, online: 0 });
  });

  it('subscribes to nothing while started with nothing to wait for', () => {
    const { wakeUps, scheduler } = setup();
    scheduler.start();
    expect(wakeUps.listening()).toEqual({ focus: 0, online: 0 });
  });

  it('subscribes once to focus and online while started with a deadline', () => {
    const { clock, wakeUps, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 1_000);
    scheduler.setDeadline(clock.now() + 2_000); // re-armed: still one subscription each
    expect(wakeUps.listening()).toEqual({ focus: 1, online: 1 });
  });

  it('unsubscribes when the deadline goes away', () => {
    const { clock, wakeUps, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 1_000);
    scheduler.setDeadline(null);
    expect(wakeUps.listening()).toEqual({ focus: 0, online: 0 });
  });

  it('unsubscribes on stop()', () => {
    const { clock, wakeUps, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 1_000);
    scheduler.stop();
    expect(wakeUps.listening()).toEqual({ focus: 0, online: 0 });
  });

  it('calls onDue when the page comes back into focus', () => {
    const { clock, wakeUps, onDue, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 60_000);
    wakeUps.focus();
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('calls onDue when the network comes back', () => {
    const { clock, wakeUps, onDue, scheduler } = setup();
    scheduler.start();
    scheduler.setDeadline(clock.now() + 60_000);
    wakeUps.online();
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('moves a retry waiting out its backoff to now when the network comes back', () => {
    const { clock, wakeUps, scheduler } = setup({ random: () => 0.5 });
    scheduler.start();
    scheduler.failed(networkError());
    expect(scheduler.dueAt()).toBe(clock.now() + 500);
    wakeUps.online();
    expect(scheduler.dueAt()).toBe(clock.now());
  });

  it('leaves the deadline alone when the network comes back with no retry pending', () => {
    const { clock, wakeUps, scheduler } = setup();
    scheduler.start();
    const deadline = clock.now() + 60_000;
    scheduler.setDeadline(deadline);
    wakeUps.online();
    expect(scheduler.dueAt()).toBe(deadline);
  });
});

describe('backoff', () => {
  it('retries at once when the jitter draws 0', async () => {
    const { clock, onDue, scheduler } = setup({ random: () => 0 });
    scheduler.start();
    scheduler.failed(networkError());
    expect(scheduler.dueAt()).toBe(clock.now());
    await clock.advance(0);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('retries after half the cap when the jitter draws 0.5', () => {
    const { clock, scheduler } = setup({ random: () => 0.5 });
    scheduler.failed(networkError());
    expect(scheduler.dueAt()! - clock.now()).toBe(500);
  });

  it('doubles the cap from 1 s on each failure, up to a minute', () => {
    const { clock, scheduler } = setup({ random: () => 0.5 });
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      scheduler.failed(networkError());
      waits.push(scheduler.dueAt()! - clock.now());
    }
    // Half of 1, 2, 4, 8, 16, 32 s, then of the 60 s ceiling.
    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('fires the retry timer at the retry time, ahead of a later deadline', async () => {
    const { clock, onDue, scheduler } = setup({ random: () => 0.5 });
    scheduler.start();
    scheduler.setDeadline(clock.now() + 60_000);
    scheduler.failed(networkError());
    await clock.advance(499);
    expect(onDue).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('returns the last error from backoffError() while the retry is ahead', () => {
    const { scheduler } = setup({ random: () => 0.5 });
    const first = networkError();
    const last = new AuthError('auth/http', { status: 503 });
    scheduler.failed(first);
    scheduler.failed(last);
    expect(scheduler.backoffError()).toBe(last);
  });

  it('returns null from backoffError() once the retry time has come', async () => {
    const { clock, scheduler } = setup({ random: () => 0.5 });
    scheduler.failed(networkError());
    await clock.advance(500);
    expect(scheduler.backoffError()).toBeNull();
  });

  it('returns null from backoffError() for a retry drawn at once', () => {
    const { scheduler } = setup({ random: () => 0 });
    scheduler.failed(networkError());
    expect(scheduler.backoffError()).toBeNull();
  });

  it('returns null from backoffError() once the network came back', () => {
    const { wakeUps, scheduler } = setup({ random: () => 0.5 });
    scheduler.start();
    scheduler.failed(networkError());
    wakeUps.online();
    expect(scheduler.backoffError()).toBeNull();
  });

  it('clears the backoff on reset(): no error, and the deadline is due again', () => {
    const { clock, scheduler } = setup({ random: () => 0.5 });
    const deadline = clock.now() + 60_000;
    scheduler.setDeadline(deadline);
    scheduler.failed(networkError());
    scheduler.reset();
    expect(scheduler.backoffError()).toBeNull();
    expect(scheduler.dueAt()).toBe(deadline);
  });

  it('starts the backoff from 1 s again after reset()', () => {
    const { clock, scheduler } = setup({ random: () => 0.5 });
    for (let i = 0; i < 4; i++) scheduler.failed(networkError());
    scheduler.reset();
    scheduler.failed(networkError());
    expect(scheduler.dueAt()! - clock.now()).toBe(500);
  });
});
