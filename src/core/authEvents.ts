import type { AuthenticatedSnapshot } from './authClient';
import type { AuthError } from './errors';
import type { EndReason, EngineState } from './sessionState';

/** What `client.on` tells, and with what. */
export interface AuthEventMap<TUser> {
  /** A user became signed in here: a login, a restored session, a login in another tab, a user switch. */
  login: AuthenticatedSnapshot<TUser>;
  /** The same user's access token was replaced: reconnect what uses it. */
  refresh: AuthenticatedSnapshot<TUser>;
  /** The session ended, with the reason (`logged-out`, `other-tab`, `expired`, ...). */
  logout: { reason: EndReason | null; error: AuthError | null };
  /** A failure no caller awaits: a background refresh, storage (what `onError` gets). */
  error: AuthError;
}

/** The name of an auth event. */
export type AuthEventType = keyof AuthEventMap<unknown>;

type Listener<T> = (payload: T) => void;

/** Listeners by event; a listener that throws never breaks the engine or the other listeners. */
export function createAuthEvents<TUser>(sameUser: (a: TUser, b: TUser) => boolean, onError?: (error: AuthError) => void) {
  const listeners = new Map<AuthEventType, Set<Listener<never>>>();

  function emit<K extends AuthEventType>(type: K, payload: AuthEventMap<TUser>[K]) {
    const live = listeners.get(type);
    // A copy, so a listener added meanwhile waits for the next event; one removed meanwhile is not called.
    for (const listener of [...(live ?? [])]) {
      if (!live?.has(listener)) continue;
      try {
        (listener as Listener<AuthEventMap<TUser>[K]>)(payload);
      } catch {
        // An app's listener must not break the engine.
      }
    }
  }

  return {
    on<K extends AuthEventType>(type: K, listener: Listener<AuthEventMap<TUser>[K]>): () => void {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set);
      set.add(listener as Listener<never>);
      return () => void set.delete(listener as Listener<never>);
    },
    emit,
    /** A failure no caller may be waiting for: the `error` event, then `onError`. */
    report(error: AuthError) {
      emit('error', error);
      try {
        onError?.(error);
      } catch {
        // An app's error handler must not break the engine.
      }
    },
    /** The events a state change means. */
    transition(previous: EngineState<TUser>, next: EngineState<TUser>) {
      const before = previous.snapshot;
      const after = next.snapshot;
      if (after.status === 'authenticated') {
        if (before.status !== 'authenticated' || !sameUser(before.user, after.user)) emit('login', after);
        else if (before.accessToken !== after.accessToken) emit('refresh', after);
      } else if (after.status === 'unauthenticated' && previous.session) {
        emit('logout', { reason: after.reason, error: after.error });
      }
    },
  };
}
