'use client';
import type { AuthClient } from '../core/createAuthClient';
import { useAuthContext } from './AuthContext';

/**
 * `fetch` with the bearer token attached. A 401 causes one shared refresh and one retry;
 * the function is stable across renders.
 *
 * @example
 * const authFetch = useAuthFetch();
 * useQuery({ queryKey: authKeys.user('todos'), queryFn: () => authFetch('/api/todos').then((r) => r.json()) });
 */
export function useAuthFetch(): AuthClient['fetch'] {
  return useAuthContext('useAuthFetch').client.fetch;
}
