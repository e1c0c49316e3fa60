import { useMe } from '../../src';
import { ErrorNote } from './ErrorNote';

/** GET /auth/me through `useMe`: loading, failed (with a retry), or the profile. */
export function MePanel() {
  const me = useMe();
  return (
    <section className="panel" aria-label="Profile">
      <h3>
        Profile <span className="endpoint">GET /auth/me</span>
      </h3>
      {me.isPending && (
        <div role="status" className="loading-line">
          <span className="spinner" aria-hidden /> Loading profile…
        </div>
      )}
      {me.isError && (
        <>
          <ErrorNote title="Could not load the profile" error={me.error} />
          <button type="button" onClick={() => void me.refetch()} disabled={me.isFetching}>
            {me.isFetching ? 'Retrying…' : 'Retry'}
          </button>
        </>
      )}
      {me.data && (
        <dl className="facts">
          <dt>Name</dt>
          <dd>
            {me.data.firstName} {me.data.lastName}
          </dd>
          <dt>Email</dt>
          <dd>{me.data.email}</dd>
          <dt>Role</dt>
          {/* Not in the default user schema: kept at runtime, but untyped, so read with `in`. */}
          <dd>{'role' in me.data ? String(me.data.role) : 'user'}</dd>
        </dl>
      )}
    </section>
  );
}
