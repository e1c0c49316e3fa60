import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, type ReactNode } from 'react';
import type { AuthClient } from '../core/createAuthClient';
import type { RegisteredUser } from '../react/AuthContext';
import { AuthProvider } from '../react/AuthProvider';

/** Options of {@link createAuthWrapper}. */
export interface AuthWrapperOptions {
  client: AuthClient<RegisteredUser>;
  /** Default: a fresh QueryClient with retries off, so failures show at once. */
  queryClient?: QueryClient;
  /** Render under `<StrictMode>`, as development builds do. */
  strict?: boolean;
}

/** A QueryClient for tests: no retries, nothing kept after it is unused. */
export function createTestQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } } });
}

/**
 * A `wrapper` for Testing Library's `render` and `renderHook`: QueryClientProvider and
 * AuthProvider around whatever is rendered.
 *
 * @example
 * const client = createAuthClient({ baseUrl: 'http://localhost' });
 * const { result } = renderHook(() => useSession(), { wrapper: createAuthWrapper({ client }) });
 */
export function createAuthWrapper({ client, queryClient = createTestQueryClient(), strict = false }: AuthWrapperOptions) {
  return function AuthWrapper({ children }: { children?: ReactNode }) {
    const tree = (
      <QueryClientProvider client={queryClient}>
        <AuthProvider client={client}>{children}</AuthProvider>
      </QueryClientProvider>
    );
    return strict ? <StrictMode>{tree}</StrictMode> : tree;
  };
}
