/** A value now, or later. Storage adapters and user schemas may be either. */
export type MaybePromise<T> = T | PromiseLike<T>;

/** True for anything with a `then` method: a native Promise, or another library's thenable. */
export function isThenable<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then == 'function';
}

/**
 * Applies `next` at once when `value` is already there, after it settles when it is a
 * promise or any thenable: a synchronous storage and schema must restore a session within
 * the first render.
 */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value);
}
