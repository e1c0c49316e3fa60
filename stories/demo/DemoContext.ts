import { createContext, useContext } from 'react';
import type { AuthClient, Clock } from '../../src';
import type { AuthHandlersControl, TestClock } from '../../src/testing';
import type { TimelineRecorder } from './timelineRecorder';

/**
 * What the demo page knows besides the package: the clock it reads the time from (the
 * client's own), and the fake server behind it. A real app has `Date.now()` and a real API.
 */
export interface DemoWorld {
  client: AuthClient;
  clock: Clock;
  /** The manual clock when time is paused; `null` in real time. */
  testClock: TestClock | null;
  control: AuthHandlersControl;
  /** The timeline's zero. */
  startedAt: number;
  /** Every session change since the client was made, for the token timeline. */
  timeline: TimelineRecorder;
}

export const DemoContext = createContext<DemoWorld | undefined>(undefined);

export function useDemoWorld(): DemoWorld {
  const world = useContext(DemoContext);
  if (!world) throw new Error('Demo components must be rendered inside <DemoContext.Provider>.');
  return world;
}
