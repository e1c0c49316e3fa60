'use client';
import { useSuspenseQuery, type UseSuspenseQueryResult } from '@tanstack/react-query';
import { authKeys } from '../core/authKeys';
import type { AuthError } from '../core/errors';
import { useAuthContext, type RegisteredUser } from './AuthContext';
import { useSuspenseSession } from './useSuspenseSession';

/**
 * GET me as a React Query suspense query keyed `authKeys.me(userId)`: suspends while the
 * session is restored and while me is fetched; `data` is the user, or `null` when signed
 * out (nothing is fetched then). Errors go to the nearest error boundary.
 *
 * @example
 * const { data: me } = useSuspenseMe();
 * return me ? <p>{me.email}</p> : <LoginForm />;
 */
export function useSuspenseMe(): UseSuspenseQueryResult<RegisteredUser | null, AuthError> {
  const { client, queryClient } = useAuthContext('useSuspenseMe');
  const session = useSuspenseSession();
  const userId = session.status === 'authenticated' ? (client.getUserId(session.user) ?? '') : null;
  return useSuspenseQuery<RegisteredUser | null, AuthError, RegisteredUser | null, ReturnType<typeof authKeys.me>>(
    {
      queryKey: authKeys.me(userId ?? undefined),
      queryFn: () => (userId === null ? null : client.fetchMe()),
      // Signed out: nothing to fetch, so nothing to suspend for.
      ...(userId === null && { initialData: null }),
    },
    queryClient,
  );
}
