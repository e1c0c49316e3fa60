import { focusManager, onlineManager } from '@tanstack/query-core';
import type { Clock, TimerHandle } from './clock';
import type { AuthError } from './errors';

// Browsers run a setTimeout longer than 2^31-1 ms at once; longer waits are re-armed on firing.
export const MAX_TIMER_DELAY_MS = 2_147_483_647;
// Backoff after a refresh that could not reach the server: full jitter under a cap of
// 1 s, doubling, at most a minute, so a fleet of tabs does not retry in step.
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 60_000;

/** Where "look again now" comes from: the page coming back into view, the network returning. */
export interface WakeUpSources {
  onFocus(listener: () => void): () => void;
  onOnline(listener: () => void): () => void;
}

/**
 * React Query's focus and online managers: an app (React Native's AppState and NetInfo, say)
 * plugs its own events in with `focusManager.setEventListener` / `onlineManager.setEventListener`.
 */
export const queryCoreWakeUps: WakeUpSources = {
  onFocus: (listener) => focusManager.subscribe((focused) => focused && listener()),
  onOnline: (listener) => onlineManager.subscribe((online) => online && listener()),
};

export interface RefreshScheduler {
  /** Starts the timer and the wake-ups (a client's mount). */
  start(): void;
  /** Stops both; what is known (deadline, backoff) is kept. */
  stop(): void;
  /** The session's refresh point, or null: no session, or no known expiry. */
  setDeadline(at: number | null): void;
  /** When the next refresh is due: a retry's time while backing off, else the deadline. */
  dueAt(): number | null;
  /** A refresh failed in a way worth retrying: back off. */
  failed(error: AuthError): void;
  /** A refresh succeeded, or the session changed: no backoff. */
  reset(): void;
  /** The error of the last failure while a retry is still ahead, else null: callers fail fast with it. */
  backoffError(): AuthError | null;
}

export interface SchedulerOptions {
  clock: Clock;
  wakeUps: WakeUpSources;
  /** In [0, 1): the jitter. */
  random: () => number;
  /** Called when the time may have come: on the timer, on a wake-up. */
  onDue(): void;
}

/** The deadline timer, its wake-ups and the backoff. Never sends anything itself. */
export function createRefreshScheduler({ clock, wakeUps, random, onDue }: SchedulerOptions): RefreshScheduler {
  let running = false;
  let deadline: number | null = null;
  let retryAt: number | null = null;
  let lastError: AuthError | null = null;
  let failures = 0;
  let timer: TimerHandle | null = null;
  let stopWaking: (() => void) | null = null;

  const dueAt = () => retryAt ?? deadline;

  function arm() {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    const at = dueAt();
    if (!running || at === null) {
      stopWaking?.();
      stopWaking = null;
      return;
    }
    stopWaking ??= watch();
    timer = clock.setTimeout(
      () => {
        timer = null;
        onDue();
      },
      Math.min(Math.max(0, at - clock.now()), MAX_TIMER_DELAY_MS),
    );
  }

  // A timer in a hidden tab or on a sleeping laptop fires late or not at all.
  function watch() {
    const offs = [
      wakeUps.onFocus(onDue),
      wakeUps.onOnline(() => {
        // Back online: a retry waiting out its backoff goes now.
        if (retryAt !== null) retryAt = clock.now();
        onDue();
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  return {
    start() {
      running = true;
      arm();
    },
    stop() {
      running = false;
      arm();
    },
    setDeadline(at) {
      deadline = at;
      arm();
    },
    dueAt,
    failed(error) {
      failures += 1;
      lastError = error;
      retryAt = clock.now() + random() * Math.min(RETRY_BASE_MS * 2 ** (failures - 1), RETRY_MAX_MS);
      arm();
    },
    reset() {
      failures = 0;
      retryAt = lastError = null;
      arm();
    },
    backoffError: () => (retryAt !== null && clock.now() < retryAt ? lastError : null),
  };
}
