/** A reference count over start and stop. */
export interface Lifetime {
  /** Starts on the first mount; returns the unmount, which is safe to call twice. */
  mount(): () => void;
  running(): boolean;
}

/**
 * Starts on 0 → 1 and stops when the count is back at 0 a microtask later: StrictMode's
 * simulated unmount and Fast Refresh mount again at once, and so resume with nothing
 * stopped, aborted, restored or refreshed twice.
 */
export function createLifetime(start: () => void, stop: () => void): Lifetime {
  let mounts = 0;
  let running = false;
  return {
    mount() {
      mounts += 1;
      if (!running) {
        running = true;
        start();
      }
      let mounted = true;
      return () => {
        if (!mounted) return;
        mounted = false;
        mounts -= 1;
        if (mounts === 0) {
          void Promise.resolve().then(() => {
            if (mounts > 0 || !running) return;
            running = false;
            stop();
          });
        }
      };
    },
    running: () => running,
  };
}
