import type { AuthError } from './errors';
import type { Lineage } from './lineage';

/**
 * Why the last session ended: the refresh token `expired` or was `revoked` (as the server
 * said), the user `logged-out` here or in an `other-tab`, or `refresh-failed`: the server
 * answered a refresh with a body authloop could not read, so its refresh token is spent.
 */
export type EndReason = 'expired' | 'revoked' | 'logged-out' | 'other-tab' | 'refresh-failed';

/** What the app sees. Discriminated on `status`; tokens other than the access token stay inside. */
export type AuthSnapshot<TUser> =
  | { status: 'loading' }
  | {
      status: 'authenticated';
      user: TUser;
      accessToken: string;
      /** ms since the epoch on the local clock, or null when the token does not say. */
      expiresAt: number | null;
      isRefreshing: boolean;
    }
  | { status: 'unauthenticated'; reason: EndReason | null; error: AuthError | null };

/** Everything the engine keeps about a live session. Persisted as JSON by persistent storages. */
export interface SessionRecord<TUser> {
  user: TUser;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number | null;
  refreshAt: number | null;
  /** Which login this session descends from, and how many refreshes since. */
  lineage: Lineage;
}

/** The engine's whole state: what the app sees, and the session behind it. */
export interface EngineState<TUser> {
  snapshot: AuthSnapshot<TUser>;
  session: SessionRecord<TUser> | null;
}

export type SessionAction<TUser> =
  /** A session to use; `pending` when its access token must be refreshed first (the app stays `loading`). */
  | { type: 'session'; session: SessionRecord<TUser>; pending?: boolean }
  /** A refresh started (`true`) or failed without ending the session (`false`). */
  | { type: 'refreshing'; value: boolean }
  /** No session; `reason` is null at a start without one. */
  | { type: 'ended'; reason: EndReason | null; error?: AuthError | null };

const signedOut = <TUser>(reason: EndReason | null = null, error: AuthError | null = null): EngineState<TUser> => ({
  snapshot: { status: 'unauthenticated', reason, error },
  session: null,
});

/** `loading` while a session may still be restored (from storage, or from a refresh cookie). */
export function initialState<TUser>(restorable: boolean): EngineState<TUser> {
  return restorable ? { snapshot: { status: 'loading' }, session: null } : signedOut();
}

/** True when two values have the same JSON (a user that did not change). */
export function sameJson(a: unknown, b: unknown): boolean {
  try {
    return a === b || JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false; // a user JSON cannot hold (a BigInt, a cycle) is simply taken as new
  }
}

function authenticated<TUser>(session: SessionRecord<TUser>, isRefreshing: boolean, previous: AuthSnapshot<TUser>): AuthSnapshot<TUser> {
  // Keep the previous user object when it is the same user, so components that select only
  // the user do not re-render when the tokens rotate.
  const user = previous.status == 'authenticated' && sameJson(previous.user, session.user) ? previous.user : session.user;
  return { status: 'authenticated', user, accessToken: session.accessToken, expiresAt: session.expiresAt, isRefreshing };
}

/**
 * The session state machine: a pure function, so every transition is testable without
 * React, network or timers. Returns the same object when nothing changed.
 */
export function sessionReducer<TUser>(state: EngineState<TUser>, action: SessionAction<TUser>): EngineState<TUser> {
  const { snapshot, session } = state;
  if (action.type == 'ended') return signedOut(action.reason, action.error);
  if (action.type == 'session') {
    return { snapshot: action.pending ? { status: 'loading' } : authenticated(action.session, false, snapshot), session: action.session };
  }
  // A restore whose refresh failed on the network still has a session: a failure shows it
  // (the next request tries the refresh again), while a start leaves `loading` alone.
  const unchanged = snapshot.status == 'authenticated' ? snapshot.isRefreshing == action.value : action.value;
  return !session || unchanged ? state : { session, snapshot: authenticated(session, action.value, snapshot) };
}
