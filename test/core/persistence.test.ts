import { describe, expect, it, vi } from 'vitest';
import type { AuthError } from '../../src/core/errors';
import { createPersistence, deserializeSession, serializeSession } from '../../src/core/persistence';
import type { SessionRecord } from '../../src/core/sessionState';
import type { StorageAdapter } from '../../src/core/storage';

interface User {
  id: number;
  first_name?: string;
  firstName?: string;
}

const KEY = 'authloop.test';
const lineage = { login: 'login-1', at: 0, generation: 0 };
const sessionA: SessionRecord<User> = { user: { id: 1 }, accessToken: 'a1', refreshToken: 'r1', expiresAt: 1_000, refreshAt: 500, lineage };
const sessionB: SessionRecord<User> = { ...sessionA, accessToken: 'a2', refreshToken: 'r2', lineage: { ...lineage, generation: 1 } };

/** A synchronous adapter over a Map, counting its calls. */
function mapStorage(initial?: string) {
  const map = new Map<string, string>(initial === undefined ? [] : [[KEY, initial]]);
  const calls: string[] = [];
  const adapter: StorageAdapter = {
    get: (key) => (calls.push('get'), map.get(key) ?? null),
    set: (key, value) => void (calls.push('set'), map.set(key, value)),
    remove: (key) => void (calls.push('remove'), map.delete(key)),
  };
  return { map, calls, adapter };
}

/** An adapter whose set and remove take effect only when the test settles them, in any order. */
function deferredStorage() {
  const map = new Map<string, string>();
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  const later = (name: string, effect: () => void) => {
    calls.push(name);
    return new Promise<void>((resolve) => pending.push(() => (effect(), resolve())));
  };
  const adapter: StorageAdapter = {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => later('set', () => map.set(key, value)),
    remove: (key) => later('remove', () => map.delete(key)),
  };
  /** Settles every outstanding call, the newest first, until no call is left. */
  async function settleInReverse() {
    for (let round = 0; round < 20; round++) {
      await settle();
      if (!pending.length) continue;
      pending.splice(0).reverse().forEach((finish) => finish());
    }
  }
  return { map, calls, adapter, pending, settleInReverse };
}

// A few microtask turns: enough for a promise chain a handful of links long.
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const reporter = () => {
  const reports: AuthError[] = [];
  return { reports, report: (error: AuthError) => void reports.push(error) };
};

describe('serializeSession / deserializeSession', () => {
  it('round-trips a session', () => {
    expect(deserializeSession(serializeSession(sessionA))).toEqual(sessionA);
  });

  it('gives the user back exactly as stored, without validating or transforming it again', () => {
    const user = { id: 1, first_name: 'Emily', extra: { nested: true } };
    expect(deserializeSession(serializeSession({ ...sessionA, user }))?.user).toEqual(user);
  });

  it.each([
    ['null', null],
    ['not JSON', '{oops'],
    ['a JSON array', '[]'],
    ['another version', JSON.stringify({ ...sessionA, v: 2 })],
    ['no version', JSON.stringify(sessionA)],
    ['no user', JSON.stringify({ ...sessionA, v: 1, user: null })],
    ['an empty access token', JSON.stringify({ ...sessionA, v: 1, accessToken: '' })],
    ['a numeric refresh token', JSON.stringify({ ...sessionA, v: 1, refreshToken: 7 })],
    ['a string expiresAt', JSON.stringify({ ...sessionA, v: 1, expiresAt: '1000' })],
  ])('reads %s as no session', (_label, raw) => {
    expect(deserializeSession(raw)).toBeNull();
  });

  it('accepts a null refresh token and null times', () => {
    const session = { ...sessionA, refreshToken: null, expiresAt: null, refreshAt: null };
    expect(deserializeSession(serializeSession(session))).toEqual(session);
  });
});

describe('createPersistence: reading', () => {
  it('reads nothing, and writes nothing, without an adapter (memory)', async () => {
    const persistence = createPersistence<User>(null, KEY, () => {});
    await persistence.write(sessionA);
    expect(persistence.read()).toBeNull();
  });

  it('reads a synchronous adapter synchronously', () => {
    const { adapter } = mapStorage(serializeSession(sessionA));
    expect(createPersistence<User>(adapter, KEY, () => {}).read()).toEqual(sessionA);
  });

  it('awaits a thenable from get that is not a native promise', async () => {
    const raw = serializeSession(sessionA);
    const thenable = { then: (onFulfilled: (value: string) => unknown) => onFulfilled(raw) };
    const adapter: StorageAdapter = { get: () => thenable as unknown as Promise<string>, set: () => {}, remove: () => {} };
    expect(await createPersistence<User>(adapter, KEY, () => {}).read()).toEqual(sessionA);
  });

  it('gives back the stored user as stored, not re-validated (a transformed user stays transformed)', () => {
    const user = { id: 1, firstName: 'Emily' }; // already the schema's output
    const { adapter } = mapStorage(serializeSession({ ...sessionA, user }));
    expect(createPersistence<User>(adapter, KEY, () => {}).read()).toMatchObject({ user });
  });

  it('removes unreadable data once: a second read finds nothing to remove', async () => {
    const { adapter, calls } = mapStorage('garbage');
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    expect(persistence.read()).toBeNull();
    await settle();
    expect(persistence.read()).toBeNull();
    await settle();
    expect(calls.filter((call) => call === 'remove')).toHaveLength(1);
  });

  it('reports a failing get once as auth/storage and reads no session', () => {
    const { reports, report } = reporter();
    const adapter: StorageAdapter = {
      get: () => {
        throw new Error('SecurityError');
      },
      set: () => {},
      remove: () => {},
    };
    expect(createPersistence<User>(adapter, KEY, report).read()).toBeNull();
    expect(reports.map((error) => error.code)).toEqual(['auth/storage']);
  });

  it('waits in readLatest() for the writes queued before it', async () => {
    const { adapter, pending } = deferredStorage();
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    void persistence.write(sessionA);
    let latest: SessionRecord<User> | null | undefined;
    void persistence.readLatest().then((session) => (latest = session));
    await settle();
    expect(latest).toBeUndefined();
    pending.splice(0).forEach((finish) => finish());
    await settle();
    expect(latest).toEqual(sessionA);
  });
});

describe('createPersistence: writing', () => {
  it('writes a synchronous adapter before write() returns', () => {
    const { adapter, map } = mapStorage();
    void createPersistence<User>(adapter, KEY, () => {}).write(sessionA);
    expect(map.get(KEY)).toBe(serializeSession(sessionA));
  });

  it('removes the session for write(null)', async () => {
    const { adapter, map } = mapStorage(serializeSession(sessionA));
    await createPersistence<User>(adapter, KEY, () => {}).write(null);
    expect(map.has(KEY)).toBe(false);
  });

  it('resolves write() only after the adapter finished', async () => {
    const { adapter, map, pending } = deferredStorage();
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    const storedWhenResolved = persistence.write(sessionA).then(() => map.has(KEY));
    await settle();
    pending.splice(0).forEach((finish) => finish());
    expect(await storedWhenResolved).toBe(true);
  });

  it('starts a write only once the one before it has finished', async () => {
    const { adapter, calls, pending } = deferredStorage();
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    void persistence.write(sessionA);
    void persistence.write(null);
    await settle();
    expect(calls).toEqual(['set']);
    pending.splice(0).forEach((finish) => finish());
    await settle();
    expect(calls).toEqual(['set', 'remove']);
  });

  it('ends with the last write stored even when the adapter settles its calls in reverse', async () => {
    const { adapter, map, settleInReverse } = deferredStorage();
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    void persistence.write(sessionA);
    void persistence.write(sessionB);
    void persistence.write(null); // a logout after two rotations: nothing may be left
    await settleInReverse();
    expect(map.has(KEY)).toBe(false);
  });

  it('resolves the writes in call order', async () => {
    const { adapter, settleInReverse } = deferredStorage();
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    const order: string[] = [];
    const done = Promise.all([
      persistence.write(sessionA).then(() => order.push('A')),
      persistence.write(sessionB).then(() => order.push('B')),
      persistence.write(null).then(() => order.push('null')),
    ]);
    await settleInReverse();
    await done;
    expect(order).toEqual(['A', 'B', 'null']);
  });

  it('reports a failing set once as auth/storage', async () => {
    const { reports, report } = reporter();
    const { map } = mapStorage();
    const adapter: StorageAdapter = {
      get: (key) => map.get(key) ?? null,
      set: () => Promise.reject(new Error('QuotaExceededError')),
      remove: (key) => void map.delete(key),
    };
    await createPersistence<User>(adapter, KEY, report).write(sessionB);
    expect(reports.map((error) => error.code)).toEqual(['auth/storage']);
  });

  it('removes the stale copy when a set fails, so a reload cannot present a spent refresh token', async () => {
    const map = new Map([[KEY, serializeSession(sessionA)]]);
    const adapter: StorageAdapter = {
      get: (key) => map.get(key) ?? null,
      set: () => {
        throw new Error('QuotaExceededError');
      },
      remove: (key) => void map.delete(key),
    };
    await createPersistence<User>(adapter, KEY, () => {}).write(sessionB);
    expect(map.has(KEY)).toBe(false);
  });

  it('never rejects, even when set and the removal after it both fail', async () => {
    const fail = () => Promise.reject(new Error('broken'));
    const adapter: StorageAdapter = { get: () => null, set: fail, remove: fail };
    const report = vi.fn();
    await expect(createPersistence<User>(adapter, KEY, report).write(sessionA)).resolves.toBeUndefined();
    expect(report).toHaveBeenCalledTimes(1);
  });

  it('goes on with the next write after a failed one', async () => {
    const map = new Map<string, string>();
    let failNext = true;
    const adapter: StorageAdapter = {
      get: (key) => map.get(key) ?? null,
      set: async (key, value) => {
        if (failNext) {
          failNext = false;
          throw new Error('transient');
        }
        map.set(key, value);
      },
      remove: (key) => void map.delete(key),
    };
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    void persistence.write(sessionA);
    await persistence.write(sessionB);
    expect(map.get(KEY)).toBe(serializeSession(sessionB));
  });
});

describe('createPersistence: update', () => {
  it('writes what decide answers', async () => {
    const { adapter, map } = mapStorage();
    await createPersistence<User>(adapter, KEY, () => {}).update(() => sessionA);
    expect(map.get(KEY)).toBe(serializeSession(sessionA));
  });

  it('writes nothing when decide answers undefined', async () => {
    const { adapter, calls } = mapStorage(serializeSession(sessionA));
    await createPersistence<User>(adapter, KEY, () => {}).update(() => undefined);
    expect(calls).toEqual(['get']);
  });

  it('shows decide what the writes queued before it stored', async () => {
    const { adapter, settleInReverse } = deferredStorage();
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    void persistence.write(sessionA);
    void persistence.write(sessionB);
    const decide = vi.fn(() => undefined);
    const done = persistence.update(decide);
    await settleInReverse();
    await done;
    expect(decide).toHaveBeenCalledWith(sessionB);
  });

  // BUG: read() removes unreadable data with `void write(null)`, a write of its own in the
  // queue. Called from inside update()'s queue task, that removal is not ordered before the
  // update's own store(). With an async get, it is chained after the update, and so removes
  // the session the update has just written.
  it('keeps what update() wrote over unreadable data, with an async adapter', async () => {
    const map = new Map([[KEY, 'garbage']]);
    const adapter: StorageAdapter = {
      get: async (key) => map.get(key) ?? null,
      set: async (key, value) => void map.set(key, value),
      remove: async (key) => void map.delete(key),
    };
    await createPersistence<User>(adapter, KEY, () => {}).update(() => sessionA);
    await settle();
    expect(map.get(KEY)).toBe(serializeSession(sessionA));
  });

  // BUG, same cause: with a synchronous get, the removal is chained onto the queue as it was
  // before this update (already settled), so it runs alongside the update's set instead of
  // before it, and enqueue()'s `queue = …` then drops it from the chain. An adapter that
  // settles the set before the remove loses the session just written.
  it('keeps what update() wrote over unreadable data, even when the adapter settles in reverse', async () => {
    const { adapter, map, settleInReverse } = deferredStorage();
    map.set(KEY, 'garbage');
    const persistence = createPersistence<User>(adapter, KEY, () => {});
    const done = persistence.update(() => sessionA);
    await settleInReverse();
    await done;
    expect(map.get(KEY)).toBe(serializeSession(sessionA));
  });
});
