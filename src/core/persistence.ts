import { AuthError } from './errors';
import { andThen, isThenable, type MaybePromise } from './maybe';
import { isLineage, LEGACY_LINEAGE } from './lineage';
import type { SessionRecord } from './sessionState';
import type { StorageAdapter } from './storage';

const STORED_VERSION = 1;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value == 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number | null => value === null || Number.isFinite(value);

export function serializeSession<TUser>(session: SessionRecord<TUser>): string {
  return JSON.stringify({ v: STORED_VERSION, ...session });
}

/**
 * Reads a stored session back; anything unexpected (garbage, an old format) is `null`. The
 * user comes back as it was stored: it is the user schema's output already, and a schema
 * that transforms (snake_case to camelCase) must not be applied to it a second time.
 */
export function deserializeSession<TUser>(raw: string | null): SessionRecord<TUser> | null {
  let data: unknown;
  try {
    data = JSON.parse(raw!);
  } catch {
    // Not JSON: unreadable, like every other shape below.
  }
  if (!isRecord(data) || data.v !== STORED_VERSION || data.user == null) return null;
  const { accessToken, refreshToken, expiresAt, refreshAt } = data;
  if (typeof accessToken != 'string' || !accessToken || (refreshToken !== null && typeof refreshToken != 'string')) return null;
  if (!isTime(expiresAt) || !isTime(refreshAt)) return null;
  const lineage = isLineage(data.lineage) ? data.lineage : LEGACY_LINEAGE;
  return { user: data.user as TUser, accessToken, refreshToken, expiresAt, refreshAt, lineage };
}

/** Where the session lives between page loads, with every write awaited and in order. */
export interface Persistence<TUser> {
  /** The stored session; synchronous when the adapter is. Unreadable data is removed. */
  read(): MaybePromise<SessionRecord<TUser> | null>;
  /** The stored session once every write before this call has finished. */
  readLatest(): Promise<SessionRecord<TUser> | null>;
  /** Stores the session, or removes it for `null`; resolves once the adapter has finished. Never rejects. */
  write(session: SessionRecord<TUser> | null): Promise<void>;
  /**
   * In the same queue: reads what is stored, and writes what `decide` answers (a session,
   * or `null` to remove), or nothing for `undefined`. For storage other tabs share, where
   * a tab must not overwrite a newer session another tab stored.
   */
  update(decide: (stored: SessionRecord<TUser> | null) => SessionRecord<TUser> | null | undefined): Promise<void>;
  /**
   * In the same queue: what is stored now, and the login of the session this client last
   * saw there before (read or wrote; null after a removal or a failure): a session it saw
   * that is gone now was removed by another tab sharing the storage.
   */
  peek(): Promise<{ stored: SessionRecord<TUser> | null; lastSeen: string | null }>;
}

/**
 * Persistence over a storage adapter, or none (memory). Writes go through one queue, so a
 * logout's removal can never be overtaken by an earlier, slower write of the session.
 * Failures go to `report` as `auth/storage`; the session in memory is kept.
 */
export function createPersistence<TUser>(adapter: StorageAdapter | null, key: string, report: (error: AuthError) => void): Persistence<TUser> {
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;
  // The login of the session last read from or written to storage here.
  let lastSeen: string | null = null;

  // Sync or async, throwing or rejecting: the failure is reported once and `recover` answers.
  function guard<T>(run: (area: StorageAdapter) => MaybePromise<T>, recover: () => T): MaybePromise<T> {
    const fail = (cause: unknown) => {
      report(new AuthError('auth/storage', { cause }));
      return recover();
    };
    try {
      const result = run(adapter!);
      return isThenable(result) ? Promise.resolve(result).then(undefined, fail) : result;
    } catch (cause) {
      return fail(cause);
    }
  }

  // The failure that led here was reported once; nothing more can be done if this fails too.
  function removeQuietly(): Promise<void> {
    return Promise.resolve()
      .then(() => adapter!.remove(key))
      .then(undefined, () => undefined);
  }

  function store(session: SessionRecord<TUser> | null): Promise<void> {
    let failed = false;
    return Promise.resolve(
      guard<unknown>(
        (area) => (session ? area.set(key, serializeSession(session)) : area.remove(key)),
        // What is left stored holds a refresh token that has since been spent: a reload would
        // present it, and a rotating server would revoke the whole session for reuse.
        () => ((failed = true), session ? removeQuietly() : undefined),
      ),
    ).then(() => void (lastSeen = failed ? null : (session?.lineage.login ?? null)));
  }

  // `clean`: whatever is stored but unreadable (garbage, an old format) is removed, once.
  function readStored(clean: boolean): MaybePromise<SessionRecord<TUser> | null> {
    if (!adapter) return null;
    return guard(
      (area) =>
        andThen(area.get(key), (raw) => {
          const session = deserializeSession<TUser>(raw);
          if (clean && raw != null && !session) void write(null);
          lastSeen = session?.lineage.login ?? null;
          return session;
        }),
      () => null,
    );
  }

  const read = () => readStored(true);

  // With nothing queued a task starts at once: a synchronous storage is written before the call returns.
  function enqueue(task: () => Promise<void>): Promise<void> {
    if (!adapter) return Promise.resolve();
    pending += 1;
    queue = (pending === 1 ? task() : queue.then(task)).finally(() => void (pending -= 1));
    return queue;
  }

  const write = (session: SessionRecord<TUser> | null) => enqueue(() => store(session));

  function update(decide: (stored: SessionRecord<TUser> | null) => SessionRecord<TUser> | null | undefined): Promise<void> {
    // Inside the queue: unreadable data is not removed by a write queued behind this one
    // (it would erase what this one stores), but by this task itself.
    // And at once with a synchronous storage, like a write: a logout has removed the session by the time it returns.
    return enqueue(() =>
      Promise.resolve(
        andThen(readStored(false), (stored) => {
          const next = decide(stored);
          return next === undefined ? undefined : store(next);
        }),
      ),
    );
  }

  function peek() {
    let seen: { stored: SessionRecord<TUser> | null; lastSeen: string | null } = { stored: null, lastSeen: null };
    return enqueue(async () => {
      const last = lastSeen;
      let failed = false;
      const stored = await guard(
        (area) => andThen(area.get(key), (raw) => deserializeSession<TUser>(raw)),
        () => ((failed = true), null),
      );
      // A read that failed tells nothing of what another tab did: as if nothing had been seen.
      seen = { stored, lastSeen: failed ? null : last };
    }).then(() => seen);
  }

  return {
    read,
    readLatest: () => queue.then(read),
    write,
    update,
    peek,
  };
}
