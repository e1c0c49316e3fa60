const localQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `task` while holding the named lock: a Web Lock shared by every tab where the
 * browser has them (secure contexts only), otherwise a queue shared by every client in
 * this JavaScript realm.
 */
export function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (locks) return locks.request(name, task) as Promise<T>;
  const run = (localQueues.get(name) ?? Promise.resolve()).then(task, task);
  // The next task waits for this one whatever its outcome. One entry per lock name, kept.
  localQueues.set(name, run.catch(() => undefined));
  return run;
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
