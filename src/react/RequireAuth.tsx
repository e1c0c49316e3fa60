'use client';
import type { ReactNode } from 'react';
import { useSession } from './useSession';

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  children?: ReactNode;
  /** Shown when signed out: a login form, a redirect. */
  fallback?: ReactNode;
  /** Shown while a stored session is being restored. Default: nothing. */
  loading?: ReactNode;
}

/**
 * Renders `children` only when authenticated.
 *
 * @example
 * <RequireAuth fallback={<LoginForm />} loading={<Spinner />}>
 *   <Dashboard />
 * </RequireAuth>
 */
export function RequireAuth({ children, fallback = null, loading = null }: RequireAuthProps) {
  const status = useSession((session) => session.status);
  if (status === 'authenticated') return <>{children}</>;
  return <>{status === 'loading' ? loading : fallback}</>;
}
