import { useEffect, useState } from 'react';
import type { Clock } from '../../src';

// Four times a second: a countdown in whole seconds never looks stuck.
const TICK_MS = 250;

/**
 * The clock's time, re-read on a real interval. With a manual clock the value only moves
 * when the clock is advanced, and shows up here within one tick. When `resetKey` changes
 * (a new token), the clock is read again at once: a value up to one tick old would
 * otherwise be shown beside the new token.
 */
export function useNow(clock: Clock, resetKey?: unknown): number {
  const [state, setState] = useState(() => ({ now: clock.now(), key: resetKey }));
  useEffect(() => {
    const id = setInterval(() => setState((current) => ({ ...current, now: clock.now() })), TICK_MS);
    return () => clearInterval(id);
  }, [clock]);
  if (state.key !== resetKey) {
    const next = { now: clock.now(), key: resetKey };
    setState(next);
    return next.now;
  }
  return state.now;
}
