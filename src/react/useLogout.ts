'use client';
import { useMutation, type UseMutationOptions, type UseMutationResult } from '@tanstack/react-query';
import type { AuthError } from '../core/errors';
import { authKeys } from '../core/authKeys';
import { useAuthContext } from './AuthContext';

/** React Query's mutation options, without `mutationFn`. */
export type UseLogoutOptions<TContext = unknown> = Omit<UseMutationOptions<void, AuthError, void, TContext>, 'mutationFn'>;

/**
 * A mutation that signs out in every tab: storage cleared, every query under
 * `authKeys.all` removed (the whole cache with `clearCacheOnLogout`), status
 * `unauthenticated` with reason `'logged-out'`.
 *
 * @example
 * const logout = useLogout();
 * <button onClick={() => logout.mutate()}>Sign out</button>
 */
export function useLogout<TContext = unknown>(
  options: UseLogoutOptions<TContext> = {},
): UseMutationResult<void, AuthError, void, TContext> {
  const { client, queryClient } = useAuthContext('useLogout');
  return useMutation({ mutationKey: [...authKeys.all, 'logout'], ...options, mutationFn: () => client.logout() }, queryClient);
}
