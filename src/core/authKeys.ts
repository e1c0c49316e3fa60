/**
 * The query-key factory. Every query authloop owns sits under `authKeys.all`, and logout
 * removes everything under it; put your own per-user queries under `authKeys.user(...)`
 * so they go too.
 *
 * @example
 * useQuery({ queryKey: authKeys.user('todos'), queryFn: ... })
 */
export const authKeys = {
  all: ['authloop'] as const,
  me: (userId?: string | number) => ['authloop', 'me', userId ?? null] as const,
  user: <TParts extends readonly unknown[]>(...parts: TParts) => ['authloop', 'user', ...parts] as const,
};
