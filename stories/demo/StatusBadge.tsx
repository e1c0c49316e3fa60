import { useSession } from '../../src';

const LABELS = { loading: 'Restoring…', authenticated: 'Signed in', unauthenticated: 'Signed out' } as const;

/** The session status as a coloured pill, plus a second one while a refresh is in flight. */
export function StatusBadge() {
  const status = useSession((s) => s.status);
  const refreshing = useSession((s) => s.status === 'authenticated' && s.isRefreshing);
  return (
    <span className="badges">
      <span className={`badge badge-${status}`} data-testid="status">
        {LABELS[status]}
      </span>
      {refreshing && (
        <span className="badge badge-refreshing" role="status">
          <span className="spinner" aria-hidden /> Refreshing…
        </span>
      )}
    </span>
  );
}
