import { useEffect, useState } from 'react';
import type { Clock } from '../../src';

// Four times a second: a countdown in whole seconds never looks stuck.
const TICK_MS = 250;

/**
 * The clock's time, re-read on a real interval. With a manual clock the value only moves
 * when the clock is advanced, and shows up here within one tick.
 */
export function useNow(clock: Clock): number {
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    const id = setInterval(() => setNow(clock.now()), TICK_MS);
    return () => clearInterval(id);
  }, [clock]);
  return now;
}
