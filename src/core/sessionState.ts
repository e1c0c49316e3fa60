import type { AuthError } from './errors';

/** Why the last session ended. */
export type EndReason = 'expired' | 'revoked' | 'logged-out' | 'other-tab';

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
export interface Session<TUser> {
  user: TUser;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number | null;
  refreshAt: number | null;
}

/** The engine's whole state: what the app sees, and the session behind it. */
export interface EngineState<TUser> {
  snapshot: AuthSnapshot<TUser>;
  session: Session<TUser> | null;
}

export type SessionAction<TUser> =
  | { type: 'started'; session: Session<TUser> | null; pending: boolean }
  | { type: 'signedIn'; session: Session<TUser> }
  | { type: 'refreshStarted' }
  | { type: 'refreshed'; session: Session<TUser> }
  | { type: 'refreshFailed' }
  | { type: 'ended'; reason: EndReason; error?: AuthError | null };

export function initialState<TUser>(persistent: boolean): EngineState<TUser> {
  return {
    snapshot: persistent ? { status: 'loading' } : { status: 'unauthenticated', reason: null, error: null },
    session: null,
  };
}

function authenticated<TUser>(session: Session<TUser>, isRefreshing: boolean, previous: AuthSnapshot<TUser>): AuthSnapshot<TUser> {
  // Keep the previous user object when it is the same user, so components that select only
  // the user do not re-render when the tokens rotate.
  const user =
    previous.status === 'authenticated' && sameJson(previous.user, session.user) ? previous.user : session.user;
  return { status: 'authenticated', user, accessToken: session.accessToken, expiresAt: session.expiresAt, isRefreshing };
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The session state machine: a pure function, so every transition is testable without
 * React, network or timers. Returns the same object when nothing changed.
 */
export function sessionReducer<TUser>(state: EngineState<TUser>, action: SessionAction<TUser>): EngineState<TUser> {
  const { snapshot } = state;
  switch (action.type) {
    case 'started':
      if (action.session === null) {
        if (action.pending) return state;
        return { snapshot: { status: 'unauthenticated', reason: null, error: null }, session: null };
      }
      // An access token that must be refreshed before use keeps the app in `loading`.
      return action.pending
        ? { snapshot: { status: 'loading' }, session: action.session }
        : { snapshot: authenticated(action.session, false, snapshot), session: action.session };
    case 'signedIn':
    case 'refreshed':
      return { snapshot: authenticated(action.session, false, snapshot), session: action.session };
    case 'refreshStarted':
      if (snapshot.status !== 'authenticated' || snapshot.isRefreshing) return state;
      return { ...state, snapshot: { ...snapshot, isRefreshing: true } };
    case 'refreshFailed':
      // A restore whose refresh could not reach the server still has a session: show it,
      // and let the next request try the refresh again.
      if (snapshot.status === 'loading' && state.session) {
        return { ...state, snapshot: authenticated(state.session, false, snapshot) };
      }
      if (snapshot.status !== 'authenticated' || !snapshot.isRefreshing) return state;
      return { ...state, snapshot: { ...snapshot, isRefreshing: false } };
    case 'ended':
      return { snapshot: { status: 'unauthenticated', reason: action.reason, error: action.error ?? null }, session: null };
  }
}
