/**
 * The Web Locks API (https://w3c.github.io/web-locks/) as the tabs of one origin share it,
 * for the many-tab model: exclusive locks only, which is all authloop asks for. What the
 * spec says and this keeps:
 * - requests for a name are granted one at a time, in the order they were made;
 * - `ifAvailable`: when the lock is held or requested already, the callback runs with `null`;
 * - `signal`: a request aborted before it is granted is dropped and rejects with the
 *   signal's reason; after the grant, aborting does nothing;
 * - the lock is released when the promise the callback returned settles, and `request()`
 *   settles with it;
 * - a document that goes away (closed, reloaded) loses its held locks and its requests,
 *   and asks for none afterwards;
 * - requests are granted in parallel with the page: one aborted in the task that made it is dropped;
 * - `query()` lists held and pending requests of every tab.
 * The callback runs as a task of the tab that asked: a frozen tab is granted the lock and
 * runs its callback when it thaws (holding the lock meanwhile), as the lock manager lives
 * outside the page. Grants are not ordered with BroadcastChannel messages: a tab can be
 * granted the lock before it hears what the last holder posted, as in a browser.
 */

export interface LockOwner {
  readonly destroyed: boolean;
}

interface LockRequest<TOwner extends LockOwner> {
  owner: TOwner;
  name: string;
  callback: (lock: { name: string; mode: 'exclusive' } | null) => unknown;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

interface LockRequestOptions {
  ifAvailable?: boolean;
  signal?: AbortSignal;
  mode?: 'exclusive' | 'shared';
}

type Callback = (lock: { name: string; mode: 'exclusive' } | null) => unknown;

export class FakeLockManager<TOwner extends LockOwner> {
  private readonly held = new Map<string, LockRequest<TOwner>>();
  private readonly queues = new Map<string, Array<LockRequest<TOwner>>>();

  /** `task` runs `work` as a task of `owner`'s page (later, if that page is frozen). */
  constructor(private readonly task: (owner: TOwner, work: () => void) => void) {}

  /** What `navigator.locks` is in one tab. */
  forTab(owner: TOwner) {
    return {
      request: (name: string, options: LockRequestOptions | Callback, callback?: Callback) =>
        typeof options == 'function' ? this.request(owner, name, {}, options) : this.request(owner, name, options, callback!),
      query: () => Promise.resolve(this.query()),
    };
  }

  request(owner: TOwner, name: string, options: LockRequestOptions, callback: Callback): Promise<unknown> {
    if (options.mode === 'shared') return Promise.reject(new Error('the model has exclusive locks only'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    // A page that went away asks for nothing (its realm is gone: nobody waits on the answer).
    if (owner.destroyed) return new Promise(() => {});
    return new Promise((resolve, reject) => {
      const request: LockRequest<TOwner> = { owner, name, callback, resolve, reject };
      const queue = this.queues.get(name) ?? [];
      if (options.ifAvailable && (this.held.has(name) || queue.length > 0)) {
        return this.later(owner, () => this.settleWith(request, () => callback(null)));
      }
      this.queues.set(name, [...queue, request]);
      signal?.addEventListener(
        'abort',
        () => {
          const waiting = this.queues.get(name) ?? [];
          if (!waiting.includes(request)) return;
          this.queues.set(name, waiting.filter((other) => other !== request));
          reject(signal.reason);
        },
        { once: true },
      );
      // The lock manager runs in parallel: a request aborted in the task that made it is
      // dropped even when the lock is free (web-platform-tests, "Synchronously signaled abort").
      setImmediate(() => this.grant(name));
    });
  }

  query() {
    const entry = ({ name }: LockRequest<TOwner>) => ({ name, mode: 'exclusive' as const });
    return { held: [...this.held.values()].map(entry), pending: [...this.queues.values()].flat().map(entry) };
  }

  /** The tab's document is gone: it holds nothing and waits for nothing any more. */
  releaseAll(owner: TOwner) {
    for (const [name, queue] of this.queues) this.queues.set(name, queue.filter((request) => request.owner !== owner));
    for (const [name, request] of [...this.held]) if (request.owner === owner) this.release(name, request);
  }

  private grant(name: string) {
    if (this.held.has(name)) return;
    const queue = (this.queues.get(name) ?? []).filter((request) => !request.owner.destroyed);
    const [next, ...rest] = queue;
    this.queues.set(name, rest);
    if (!next) return;
    this.held.set(name, next);
    this.later(next.owner, () => {
      // Released meanwhile (its page closed): the callback never runs.
      if (this.held.get(name) !== next) return;
      this.settleWith(next, () => next.callback({ name, mode: 'exclusive' }), () => this.release(name, next));
    });
  }

  private release(name: string, request: LockRequest<TOwner>) {
    if (this.held.get(name) !== request) return;
    this.held.delete(name);
    this.grant(name);
  }

  private settleWith(request: LockRequest<TOwner>, run: () => unknown, release = () => {}) {
    let result: unknown;
    try {
      result = run();
    } catch (error) {
      release();
      return request.reject(error);
    }
    Promise.resolve(result).then(
      (value) => {
        release();
        request.resolve(value);
      },
      (error: unknown) => {
        release();
        request.reject(error);
      },
    );
  }

  // A task of the owner's page, after the current one: never inside the caller's stack.
  private later(owner: TOwner, work: () => void) {
    setImmediate(() => {
      if (!owner.destroyed) this.task(owner, work);
    });
  }
}
