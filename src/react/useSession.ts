'use client';
import { useCallback, useRef, useSyncExternalStore } from 'react';
import type { AuthSnapshot } from '../core/sessionState';
import { useAuthContext, type RegisteredUser } from './AuthContext';

/** What `useSession()` returns: the snapshot, typed by the registered user. */
export type Session = AuthSnapshot<RegisteredUser>;

const identity = <T,>(value: T) => value;

/**
 * The session, as a union on `status`: `'loading'` (a stored session is being restored),
 * `'authenticated'` (with `user`, `accessToken`, `expiresAt`, `isRefreshing`) or
 * `'unauthenticated'` (with the `reason` the last session ended).
 *
 * Pass a selector to re-render only when what it returns changes: a component that
 * selects the user does not re-render when the tokens rotate.
 *
 * @example
 * const session = useSession();
 * if (session.status === 'authenticated') return <p>Hello {session.user.firstName}</p>;
 *
 * const user = useSession((s) => (s.status === 'authenticated' ? s.user : null));
 */
export function useSession(): Session;
export function useSession<TSelected>(
  selector: (session: Session) => TSelected,
  isEqual?: (a: TSelected, b: TSelected) => boolean,
): TSelected;
export function useSession<TSelected>(
  selector: (session: Session) => TSelected = identity as (session: Session) => TSelected,
  isEqual: (a: TSelected, b: TSelected) => boolean = Object.is,
): TSelected {
  const { client } = useAuthContext('useSession');
  // Remember the last selection so that a new snapshot with an equal selection returns the
  // very same value, which is what keeps useSyncExternalStore from re-rendering. Keyed on
  // the selector and isEqual too: a selector that reads a prop must see the new prop.
  const memo = useRef<{ snapshot: Session; selector: typeof selector; isEqual: typeof isEqual; selected: TSelected } | null>(null);
  const select = (snapshot: Session): TSelected => {
    const last = memo.current;
    if (last && last.snapshot === snapshot && last.selector === selector && last.isEqual === isEqual) return last.selected;
    let selected = selector(snapshot);
    if (last && last.isEqual === isEqual && isEqual(last.selected, selected)) selected = last.selected;
    memo.current = { snapshot, selector, isEqual, selected };
    return selected;
  };
  const subscribe = useCallback((listener: () => void) => client.subscribe(listener), [client]);
  // The server snapshot goes through the same memo, so an object-returning selector is stable during hydration.
  return useSyncExternalStore(
    subscribe,
    () => select(client.getSnapshot()),
    () => select(client.getServerSnapshot()),
  );
}
