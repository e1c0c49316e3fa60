'use client';
import { QueryClientContext, type QueryClient } from '@tanstack/react-query';
import { useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AuthClientConfig } from '../core/config';
import { createAuthClient, type AuthClient } from '../core/createAuthClient';
import { AuthError } from '../core/errors';
import type { userSchema } from '../core/schemas';
import { AuthContext, type AuthContextValue, type Register, type RegisteredCredentials, type RegisteredUser } from './AuthContext';

type ClientProp = { /** A client made with `createAuthClient`. */ client: AuthClient<RegisteredUser, RegisteredCredentials> };
type ConfigProps = { client?: undefined } & AuthClientConfig<typeof userSchema, RegisteredCredentials>;

/**
 * Props of {@link AuthProvider}: a `client`, or the options of `createAuthClient`. Once a
 * client is registered (`interface Register { client: typeof authClient }`), only `client`:
 * config props would build a client with the default user schema, not the registered one.
 */
export type AuthProviderProps = {
  children?: ReactNode;
  /** The QueryClient to use; default: the one of the surrounding `<QueryClientProvider>`. */
  queryClient?: QueryClient;
} & (Register extends { client: unknown } ? ClientProp : ClientProp | ConfigProps);

/**
 * Makes the session available to the hooks below it.
 *
 * @example
 * <QueryClientProvider client={queryClient}>
 *   <AuthProvider baseUrl="https://api.example.com" storage="localStorage">
 *     <App />
 *   </AuthProvider>
 * </QueryClientProvider>
 */
export function AuthProvider(props: AuthProviderProps) {
  const { children, queryClient: queryClientProp, client: clientProp, ...config } = props;
  const contextQueryClient = useContext(QueryClientContext);
  const queryClient = queryClientProp ?? contextQueryClient;
  if (!queryClient) {
    throw new AuthError('auth/invalid_config', { detail: '<AuthProvider> needs a QueryClientProvider above it, or a queryClient prop.' });
  }
  // Config props are read once, like useState's initial value: a new client per render
  // would drop the session. Its timer, wake-ups and channel run only while mounted.
  const [ownClient] = useState(() => (clientProp ? null : (createAuthClient(config) as AuthClient<RegisteredUser, RegisteredCredentials>)));
  const client = clientProp ?? ownClient!;

  // Mounted in an effect, never during render: a provider that unmounts leaves nothing running.
  useEffect(() => client.mount(), [client]);
  useEffect(() => client.bindQueryClient(queryClient), [client, queryClient]);

  const value = useMemo<AuthContextValue>(() => ({ client, queryClient }), [client, queryClient]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
