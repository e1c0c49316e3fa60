import { describe, expect, it } from 'vitest';
import { createAuthClient, type StorageAdapter } from '../../src/core';
import { BASE_URL, emily, setup, startMswServer } from '../harness';

startMswServer();

// A storage adapter over a Map whose next `failGets` reads throw (a SecurityError from
// localStorage in a privacy mode, an IndexedDB-backed adapter that rejects once).
function flakyStorage() {
  const map = new Map<string, string>();
  const state = { failGets: 0, async: false };
  const adapter: StorageAdapter = {
    get: (key) => {
      if (state.failGets > 0) {
        state.failGets -= 1;
        if (state.async) return Promise.reject(new Error('storage unavailable for a moment'));
        throw new Error('storage unavailable for a moment');
      }
      const value = map.get(key) ?? null;
      return state.async ? Promise.resolve(value) : value;
    },
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  };
  return { map, state, adapter };
}

const MICHAEL = { id: 2, username: 'michaelw', email: 'michael.williams@x.example', firstName: 'Michael', lastName: 'Williams' };

describe('resync on mount (review)', () => {
  it('keeps the session when storage cannot be read for a moment on a remount, instead of signing out and erasing it', async () => {
    const { clock } = setup();
    const { map, state, adapter } = flakyStorage();
    const key = `resync-${Math.random()}`;
    const errors: unknown[] = [];
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storage: adapter, storageKey: key, onError: (error) => errors.push(error) });
    let unmount = client.mount();
    await client.login(emily);
    expect(map.has(key)).toBe(true);
    unmount();
    await clock.flush();
    // One read fails: nobody removed anything from storage.
    state.failGets = 1;
    unmount = client.mount();
    await clock.flush();
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
    expect(map.has(key)).toBe(true);
    unmount();
    client.destroy();
  });

  it('same, with an async storage adapter that rejects once', async () => {
    const { clock } = setup();
    const { map, state, adapter } = flakyStorage();
    state.async = true;
    const key = `resync-${Math.random()}`;
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storage: adapter, storageKey: key, onError: () => undefined });
    let unmount = client.mount();
    await client.whenReady();
    await client.login(emily);
    unmount();
    await clock.flush();
    state.failGets = 1;
    unmount = client.mount();
    await clock.flush();
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
    expect(map.has(key)).toBe(true);
    unmount();
    client.destroy();
  });

  it("never swaps a server-rendered user for another user's session left in storage (mount before first read, as without React)", async () => {
    const { clock } = setup();
    const key = `seed-${Math.random()}`;
    // Emily signed in on this browser earlier; her session is still in localStorage.
    const before = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: false, storage: 'localStorage', storageKey: key });
    await before.login(emily);
    before.destroy();
    expect(localStorage.getItem(key)).toContain('emilys');
    // The server rendered this page for Michael.
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storage: 'localStorage', storageKey: key, initialSession: { user: MICHAEL } });
    const unmount = client.mount();
    await clock.flush();
    const shown = client.getSnapshot() as { status: string; user?: { username: string } };
    // README: "a server-rendered seed stays unless storage has the same user's tokens: another user's leftover session is not this page's, and goes."
    expect(shown.user?.username).not.toBe('emilys');
    unmount();
    client.destroy();
    localStorage.removeItem(key);
  });

  it("never swaps a server-rendered user for another user's session left in an async storage (React order: render reads, then the effect mounts)", async () => {
    const { clock } = setup();
    const { map, state, adapter } = flakyStorage();
    const key = `seed-${Math.random()}`;
    const before = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: false, storage: adapter, storageKey: key });
    await before.login(emily);
    before.destroy();
    state.async = true;
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: true, storage: adapter, storageKey: key, initialSession: { user: MICHAEL } });
    client.getSnapshot(); // render
    const unmount = client.mount(); // effect
    await clock.flush();
    const shown = client.getSnapshot() as { status: string; user?: { username: string } };
    expect(shown.user?.username).not.toBe('emilys');
    expect(map.has(key)).toBe(false);
    unmount();
    client.destroy();
  });
});
