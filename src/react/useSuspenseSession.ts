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
  // The cached whenReady promise, thrown: the Suspense contract React 18 and 19 both keep
  // (React Query's suspense queries suspend the same way); the same promise every render.
  throw client.whenReady();
}
