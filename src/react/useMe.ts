'use client';
import { useQuery, type UseQueryOptions, type UseQueryResult } from '@tanstack/react-query';
import { authKeys } from '../core/authKeys';
import { isAuthError, type AuthError } from '../core/errors';
import { useAuthContext, type RegisteredUser } from './AuthContext';
import { useSession } from './useSession';

/** React Query's query options, without `queryKey` and `queryFn`. */
export type UseMeOptions<TData = RegisteredUser> = Omit<
  UseQueryOptions<RegisteredUser, AuthError, TData, ReturnType<typeof authKeys.me>>,
  'queryKey' | 'queryFn'
>;

// A network blip is worth a few retries; a 401 already had its one refresh and retry
// inside the client, and a bad response will not get better by asking again.
const MAX_NETWORK_RETRIES = 3;
const defaultRetry = (failureCount: number, error: AuthError) =>
  isAuthError(error) && error.code === 'auth/network' && failureCount < MAX_NETWORK_RETRIES;

/**
 * GET me with the bearer token, as a React Query query keyed `authKeys.me(userId)`.
 * Runs only while authenticated; typed by your registered user schema.
 *
 * @example
 * const me = useMe();
 * if (me.isPending) return <Spinner />;
 * return <p>{me.data?.email}</p>;
 */
export function useMe<TData = RegisteredUser>(options: UseMeOptions<TData> = {}): UseQueryResult<TData, AuthError> {
  const { client, queryClient } = useAuthContext('useMe');
  const userId = useSession((session) => (session.status === 'authenticated' ? (client.getUserId(session.user) ?? '') : null));
  return useQuery(
    {
      retry: defaultRetry,
      ...options,
      queryKey: authKeys.me(userId ?? undefined),
      queryFn: () => client.fetchMe(),
      enabled: userId !== null && (options.enabled ?? true),
    },
    queryClient,
  );
}
