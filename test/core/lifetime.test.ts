import { describe, expect, it, vi } from 'vitest';
import { createLifetime } from '../../src/core/lifetime';

function setup() {
  const start = vi.fn();
  const stop = vi.fn();
  return { start, stop, lifetime: createLifetime(start, stop) };
}

// The stop is queued as a microtask at the unmount; a test's await after it runs later.
const nextMicrotask = () => Promise.resolve();

describe('createLifetime', () => {
  it('is not running before the first mount', () => {
    const { start, lifetime } = setup();
    expect(lifetime.running()).toBe(false);
    expect(start).not.toHaveBeenCalled();
  });

  it('starts on the first mount, synchronously', () => {
    const { start, lifetime } = setup();
    lifetime.mount();
    expect(start).toHaveBeenCalledTimes(1);
    expect(lifetime.running()).toBe(true);
  });

  it('starts once for any number of mounts', () => {
    const { start, lifetime } = setup();
    lifetime.mount();
    lifetime.mount();
    lifetime.mount();
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('starts once and never stops for a StrictMode mount, unmount and mount in one tick', async () => {
    const { start, stop, lifetime } = setup();
    lifetime.mount()();
    lifetime.mount();
    await nextMicrotask();
    await nextMicrotask();
    expect(start).toHaveBeenCalledTimes(1);
    expect(stop).not.toHaveBeenCalled();
    expect(lifetime.running()).toBe(true);
  });

  it('does not stop at the last unmount itself, only a microtask later', async () => {
    const { stop, lifetime } = setup();
    const unmount = lifetime.mount();
    unmount();
    expect(stop).not.toHaveBeenCalled();
    await nextMicrotask();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(lifetime.running()).toBe(false);
  });

  it('keeps running while one mount remains', async () => {
    const { stop, lifetime } = setup();
    const first = lifetime.mount();
    lifetime.mount();
    first();
    await nextMicrotask();
    expect(stop).not.toHaveBeenCalled();
  });

  it('counts an unmount called twice once', async () => {
    const { stop, lifetime } = setup();
    const first = lifetime.mount();
    lifetime.mount();
    first();
    first();
    await nextMicrotask();
    expect(stop).not.toHaveBeenCalled();
    expect(lifetime.running()).toBe(true);
  });

  it('stops once when the last unmount is called twice', async () => {
    const { stop, lifetime } = setup();
    const unmount = lifetime.mount();
    unmount();
    unmount();
    await nextMicrotask();
    await nextMicrotask();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('stops once for two unmount-to-zero in one tick', async () => {
    const { stop, lifetime } = setup();
    lifetime.mount()();
    lifetime.mount()(); // both queue a stop; the second finds it done
    await nextMicrotask();
    await nextMicrotask();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('starts again on a mount after a stop', async () => {
    const { start, stop, lifetime } = setup();
    lifetime.mount()();
    await nextMicrotask();
    expect(stop).toHaveBeenCalledTimes(1);
    lifetime.mount();
    expect(start).toHaveBeenCalledTimes(2);
    expect(lifetime.running()).toBe(true);
  });

  it('stops again after a restart once its last mount goes', async () => {
    const { stop, lifetime } = setup();
    lifetime.mount()();
    await nextMicrotask();
    lifetime.mount()();
    await nextMicrotask();
    expect(stop).toHaveBeenCalledTimes(2);
  });
});
