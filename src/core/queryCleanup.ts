import type { QueryClient } from '@tanstack/query-core';
import { authKeys } from './authKeys';

/** The QueryClients whose auth queries go when the user does, so the next user never sees the last one's data. */
export function createQueryCleanup(initial: QueryClient | undefined, clearCacheOnLogout: boolean | undefined) {
  const queryClients = new Set<QueryClient>(initial ? [initial] : []);
  return {
    bind(queryClient: QueryClient) {
      queryClients.add(queryClient);
      return () => void queryClients.delete(queryClient);
    },
    clear() {
      for (const queryClient of queryClients) {
        if (clearCacheOnLogout) queryClient.clear();
        else {
          void queryClient.cancelQueries({ queryKey: authKeys.all });
          queryClient.removeQueries({ queryKey: authKeys.all });
        }
      }
    },
  };
}
