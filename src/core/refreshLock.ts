import type { Clock } from './clock';
import { AuthError } from './errors';
import { STOPPED } from './transport';

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
 * realm's queue only, and must coordinate with the other tabs itself. One not granted when
 * `stop` aborts (the client stopped) is withdrawn: `auth/network`, caused by the stop.
 */
export function withLock<T>(name: string, clock: Clock, maxWaitMs: number, task: (shared: boolean) => Promise<T>, stop?: AbortSignal): Promise<T> {
  if (!hasWebLocks()) return inRealm(name, () => task(false));
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(), maxWaitMs);
  const withdraw = () => controller.abort();
  stop?.addEventListener('abort', withdraw, { once: true });
  const granted = navigator.locks.request(name, { signal: controller.signal }, () => {
    clock.clearTimeout(timer);
    stop?.removeEventListener('abort', withdraw);
    return task(true);
  }) as Promise<T>;
  return granted.catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
    clock.clearTimeout(timer);
    if (stop?.aborted) throw new AuthError('auth/network', { cause: STOPPED, detail: 'the client stopped.' });
    return inRealm(name, () => task(false));
  });
}

// How long a tab that rotated a session keeps saying so in the lock manager: long enough
// for every tab that waited on the refresh lock to get it and look.
export const ROTATED_MARK_MS = 10_000;

/**
 * Leaves a mark, in the lock manager every tab shares, that the session `from` was rotated.
 * Asked for before the refresh lock is let go (the lock manager keeps one tab's requests in
 * order), so a tab granted that lock next finds it even if the rotation's message is late.
 */
export function markRotated(name: string, from: string, clock: Clock): void {
  if (!hasWebLocks()) return;
  void navigator.locks
    .request(`${name}:rotated:${from}`, { ifAvailable: true }, () => new Promise<void>((resolve) => clock.setTimeout(resolve, ROTATED_MARK_MS)))
    .catch(() => undefined);
}

/** True when a tab marked `from` as rotated (see {@link markRotated}); false where there are no Web Locks. */
export async function wasRotated(name: string, from: string): Promise<boolean> {
  if (!hasWebLocks()) return false;
  const { held = [] } = await navigator.locks.query().catch(() => ({ held: [] }));
  return held.some((lock) => lock.name === `${name}:rotated:${from}`);
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
