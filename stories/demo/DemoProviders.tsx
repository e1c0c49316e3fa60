import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { StrictMode, useMemo, type ReactNode } from 'react';
import { AuthProvider, type AuthClient } from '../../src';
import { DemoContext, type DemoWorld } from './DemoContext';

export interface DemoProvidersProps extends Omit<DemoWorld, 'client'> {
  client: AuthClient;
  queryClient: QueryClient;
  strict: boolean;
  children?: ReactNode;
}

/** What an app puts at its root: a QueryClientProvider and an AuthProvider with its client. */
export function DemoProviders({ client, queryClient, strict, children, clock, testClock, control, startedAt, timeline }: DemoProvidersProps) {
  const world = useMemo<DemoWorld>(
    () => ({ client, clock, testClock, control, startedAt, timeline }),
    [client, clock, testClock, control, startedAt, timeline],
  );
  const tree = (
    <QueryClientProvider client={queryClient}>
      <AuthProvider client={client}>
        <DemoContext.Provider value={world}>{children}</DemoContext.Provider>
      </AuthProvider>
    </QueryClientProvider>
  );
  return strict ? <StrictMode>{tree}</StrictMode> : tree;
}
