import type { Clock } from './clock';

const localQueues = new Map<string, Promise<unknown>>();

// One entry per lock name, kept: the next task waits for this one whatever its outcome.
function inRealm<T>(name: string, task: () => Promise<T>): Promise<T> {
  const run = (localQueues.get(name) ?? Promise.resolve()).then(task, task);
  localQueues.set(name, run.catch(() => undefined));
  return run;
}

/** True where the browser shares locks between tabs: Web Locks exist in secure contexts only. */
export const hasWebLocks = () => typeof navigator != 'undefined' && !!navigator.locks;

/**
 * Runs `task` while holding the named lock: a Web Lock shared by every tab where the
 * browser has them, otherwise a queue shared by every client in this JavaScript realm.
 * `task` is told whether the lock it holds is shared with other tabs. A Web Lock not
 * granted within `maxWaitMs` (held by a frozen tab) is given up: the task runs under the
 * realm's queue only, and must coordinate with the other tabs itself.
 */
export function withLock<T>(name: string, clock: Clock, maxWaitMs: number, task: (shared: boolean) => Promise<T>): Promise<T> {
  if (!hasWebLocks()) return inRealm(name, () => task(false));
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(), maxWaitMs);
  const granted = navigator.locks.request(name, { signal: controller.signal }, () => {
    clock.clearTimeout(timer);
    return task(true);
  }) as Promise<T>;
  return granted.catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
    return inRealm(name, () => task(false));
  });
}

/** One macrotask: lets messages other tabs posted before releasing a lock arrive. */
export function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof MessageChannel === 'undefined') return resolve();
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
