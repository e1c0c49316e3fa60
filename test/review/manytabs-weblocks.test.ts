import { describe, expect, it } from 'vitest';
import { FakeLockManager } from '../reliability/webLocks';

// The model's Web Locks against what browsers do (web-platform-tests, web-locks/signal.https.any.js).
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

function world() {
  const manager = new FakeLockManager<{ destroyed: boolean }>((_owner, work) => work());
  return { manager, a: { destroyed: false }, b: { destroyed: false } };
}

describe('FakeLockManager fidelity (review)', () => {
  it('WPT "Synchronously signaled abort": a request aborted in the task that made it is dropped, even on a free lock', async () => {
    const { manager, a } = world();
    const controller = new AbortController();
    let ran = false;
    const request = manager.request(a, 'lock', { signal: controller.signal }, () => void (ran = true));
    const outcome = request.then(() => 'granted', () => 'rejected');
    controller.abort();
    for (let i = 0; i < 5; i++) await macrotask();
    expect(ran).toBe(false);
    expect(await outcome).toBe('rejected');
  });

  it('a page that went away makes no request: one it makes afterwards never holds the lock from the other tabs', async () => {
    const { manager, a, b } = world();
    a.destroyed = true;
    manager.releaseAll(a);
    // The destroyed page's code still runs in the model (a promise continuation of its client).
    void manager.request(a, 'lock', {}, () => undefined);
    let granted = false;
    void manager.request(b, 'lock', {}, () => void (granted = true));
    for (let i = 0; i < 5; i++) await macrotask();
    expect(granted).toBe(true);
  });
});
