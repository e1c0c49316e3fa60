import { STOPPED } from './transport';

/** What {@link Stops.until} resolves with when the client stopped first. */
export const STOPPED_FIRST = Symbol('stopped');

/**
 * What a client's stop (its last unmount, or destroy()) interrupts, whether the work began
 * mounted or not: waits raced against it, requests for the refresh lock withdrawn, and an
 * epoch, so work that waited through a stop gives up rather than send after it.
 */
export interface Stops {
  /** How many stops so far. */
  epoch(): number;
  /** `promise`, or {@link STOPPED_FIRST} once the next stop comes first (a storage that never answers must not hold the lock). */
  until<T>(promise: Promise<T>): Promise<T | typeof STOPPED_FIRST>;
  /** A signal for one request for the lock, aborted by the next stop; `done()` once granted or over. */
  lockWait(): { signal: AbortSignal; done(): void };
  stop(): void;
}

export function createStops(): Stops {
  let epoch = 0;
  let resolve = () => {};
  let next = new Promise<typeof STOPPED_FIRST>((done) => (resolve = () => done(STOPPED_FIRST)));
  const waits = new Set<AbortController>();
  return {
    epoch: () => epoch,
    until: (promise) => Promise.race([promise, next]),
    lockWait() {
      const wait = new AbortController();
      waits.add(wait);
      return { signal: wait.signal, done: () => void waits.delete(wait) };
    },
    stop() {
      epoch += 1;
      resolve();
      next = new Promise((done) => (resolve = () => done(STOPPED_FIRST)));
      waits.forEach((wait) => wait.abort(STOPPED));
      waits.clear();
    },
  };
}
