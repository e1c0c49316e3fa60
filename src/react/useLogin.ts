'use client';
import { useMutation, type UseMutationOptions, type UseMutationResult } from '@tanstack/react-query';
import type { AuthError } from '../core/errors';
import type { AuthSnapshot } from '../core/sessionState';
import { authKeys } from '../core/authKeys';
import { useAuthContext, type RegisteredCredentials, type RegisteredUser } from './AuthContext';

/** The session `useLogin` resolves to. */
export type AuthenticatedSession = Extract<AuthSnapshot<RegisteredUser>, { status: 'authenticated' }>;

/** React Query's mutation options, without `mutationFn`. */
export type UseLoginOptions<TContext = unknown> = Omit<
  UseMutationOptions<AuthenticatedSession, AuthError, RegisteredCredentials, TContext>,
  'mutationFn'
>;

/**
 * A mutation that signs in. Its variables are what the registered client's protocol takes
 * (`{ username, password }` for the contract and `oauth2`). Takes React Query's mutation
 * options (your `onSuccess`, `onError`... run as usual). A wrong password gives
 * `error.code === 'auth/invalid_credentials'`.
 *
 * @example
 * const login = useLogin({ onSuccess: () => navigate('/') });
 * login.mutate({ username, password });
 * if (isInvalidCredentialsError(login.error)) return <p>Wrong username or password</p>;
 */
export function useLogin<TContext = unknown>(
  options: UseLoginOptions<TContext> = {},
): UseMutationResult<AuthenticatedSession, AuthError, RegisteredCredentials, TContext> {
  const { client, queryClient } = useAuthContext('useLogin');
  return useMutation(
    { mutationKey: [...authKeys.all, 'login'], ...options, mutationFn: (credentials) => client.login(credentials) },
    queryClient,
  );
}
