'use client';
import { useAuthContext } from './AuthContext';
import { useSession, type Session } from './useSession';

/** A session that is no longer being restored: what `useSuspenseSession` returns. */
export type ReadySession = Exclude<Session, { status: 'loading' }>;

/**
 * The session, suspending while a stored session is restored: the nearest `<Suspense>`
 * shows its fallback instead of a `loading` status. Never `loading`.
 *
 * @example
 * <Suspense fallback={<Spinner />}><Header /></Suspense>
 * function Header() {
 *   const session = useSuspenseSession();
 *   return session.status === 'authenticated' ? <p>{session.user.firstName}</p> : <LoginLink />;
 * }
 */
export function useSuspenseSession(): ReadySession {
  const { client } = useAuthContext('useSuspenseSession');
  const session = useSession();
  if (session.status !== 'loading') return session;
  // On the server nothing is restored (no storage, no request): an error inside the Suspense
  // boundary makes React send its fallback and render the boundary in the browser instead.
  if (typeof window == 'undefined') throw new Error('useSuspenseSession renders in the browser only: the server sends the Suspense fallback.');
  // The cached whenReady promise, thrown: the Suspense contract React 18 and 19 both keep
  // (React Query's suspense queries suspend the same way); the same promise every render.
  throw client.whenReady();
}
