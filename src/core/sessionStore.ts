import { sessionReducer, type EngineState, type SessionAction } from './sessionState';

/** The engine's state behind a subscribe/getState pair, changed only through the reducer. */
export interface SessionStore<TUser> {
  getState(): EngineState<TUser>;
  /** Applies an action; listeners hear of it only when the state changed. */
  dispatch(action: SessionAction<TUser>): void;
  subscribe(listener: () => void): () => void;
}

/**
 * A vanilla store over {@link sessionReducer}. `onTransition` runs after every change and
 * before the listeners, so what follows from a change (clearing queries, re-arming the
 * timer) is done by the time a component reads the new snapshot.
 */
export function createSessionStore<TUser>(
  initial: EngineState<TUser>,
  onTransition: (previous: EngineState<TUser>, next: EngineState<TUser>) => void,
): SessionStore<TUser> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action) {
      const previous = state;
      state = sessionReducer(state, action);
      if (state === previous) return;
      onTransition(previous, state);
      listeners.forEach((listener) => listener());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
