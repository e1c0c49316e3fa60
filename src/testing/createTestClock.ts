import type { Clock, TimerHandle } from '../core/clock';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** A {@link Clock} that only moves when told to: for tests and for demos that replay time. */
export interface TestClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer that falls due in order, and lets the
   * promises each timer starts settle before the next one fires.
   */
  advance(ms: number): Promise<void>;
  /** Jumps the wall clock without firing timers: a device clock corrected by NTP, or a suspend. */
  jump(ms: number): void;
  /** Lets pending promises (and msw responses) settle without moving time. */
  flush(): Promise<void>;
  /** Timers still waiting to fire. */
  pendingTimers(): number;
}

// Enough macrotask turns for a fetch through msw to resolve and its handlers to run.
const FLUSH_TURNS = 20;

function macrotask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else globalThis.setTimeout(resolve, 0);
  });
}

/**
 * Creates a manual clock starting at `start` (ms since the epoch).
 *
 * @example
 * const clock = createTestClock();
 * const client = createAuthClient({ baseUrl, clock });
 * await clock.advance(14 * 60_000); // the refresh timer fires
 */
export function createTestClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let current = start;
  let nextId = 1;
  let timers: Timer[] = [];

  async function flush(): Promise<void> {
    for (let i = 0; i < FLUSH_TURNS; i++) await macrotask();
  }

  return {
    now: () => current,
    setTimeout(callback: () => void, ms: number): TimerHandle {
      const timer = { id: nextId++, at: current + Math.max(0, ms), callback };
      timers.push(timer);
      return timer.id;
    },
    clearTimeout(handle: TimerHandle) {
      timers = timers.filter((t) => t.id !== handle);
    },
    async advance(ms: number) {
      const target = current + ms;
      await flush();
      for (;;) {
        const due = timers
          .filter((t) => t.at <= target)
          .sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        current = Math.max(current, due.at);
        due.callback();
        await flush();
      }
      current = target;
      await flush();
    },
    jump(ms: number) {
      current += ms;
      // A timer set before the jump still waits for its own delay on a real machine's
      // monotonic clock; shifting keeps that.
      timers = timers.map((t) => ({ ...t, at: t.at + ms }));
    },
    flush,
    pendingTimers: () => timers.length,
  };
}
