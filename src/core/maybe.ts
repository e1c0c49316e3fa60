/** A value now, or later. Storage adapters and user schemas may be either. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Applies `next` at once when `value` is already there, after it settles when it is a
 * promise: a synchronous storage and schema must restore a session within the first render.
 */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
