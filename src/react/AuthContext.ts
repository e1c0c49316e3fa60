import type { QueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { Credentials } from '../core/config';
import type { AuthClient } from '../core/createAuthClient';
import type { User } from '../core/schemas';

/**
 * Register your client's type once and every hook is typed by your user schema and your
 * protocol's credentials:
 *
 * @example
 * declare module 'authloop' {
 *   interface Register { client: typeof authClient }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The user type of the registered client, or the contract's {@link User}. */
export type RegisteredUser = Register extends { client: AuthClient<infer TUser> } ? TUser : User;

/** What a client's protocol logs in with; the contract's {@link Credentials} for anything else. */
export type CredentialsOf<TClient> = TClient extends { login(credentials: infer TCredentials): unknown } ? TCredentials : Credentials;

/** What the registered client's protocol logs in with (`useLogin`'s variables), or the contract's {@link Credentials}. */
// Not `CredentialsOf<never>` when nothing is registered: a conditional over `never` is `never`.
export type RegisteredCredentials = Register extends { client: infer TClient } ? CredentialsOf<TClient> : Credentials;

export interface AuthContextValue {
  client: AuthClient<RegisteredUser, RegisteredCredentials>;
  queryClient: QueryClient;
}

export const AuthContext = createContext<AuthContextValue | undefined>(undefined);

/** The context of the nearest `<AuthProvider>`; throws a message naming the fix when there is none. */
export function useAuthContext(hookName: string): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === undefined) throw new Error(`${hookName} must be used within <AuthProvider>.`);
  return value;
}
