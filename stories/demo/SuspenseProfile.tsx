import { useSuspenseMe } from '../../src';

/**
 * Written as if the session were always known: `useSuspenseMe` suspends while the stored
 * session is restored and while GET /auth/me answers, so there is no loading branch here.
 */
export function SuspenseProfile() {
  const { data: me } = useSuspenseMe();
  return (
    <section className="card account" aria-label="Profile">
      <h2>Your profile</h2>
      <p className="muted">Rendered inside &lt;Suspense&gt; with useSuspenseMe.</p>
      {me ? (
        <dl className="facts panel">
          <dt>Name</dt>
          <dd>
            {me.firstName} {me.lastName}
          </dd>
          <dt>Email</dt>
          <dd data-testid="email">{me.email}</dd>
        </dl>
      ) : (
        <p>Nobody is signed in.</p>
      )}
    </section>
  );
}

/** What `<Suspense>` shows meanwhile. */
export function RestoringFallback() {
  return (
    <div className="card" role="status" data-testid="suspense-fallback">
      <span className="spinner" aria-hidden /> Restoring…
    </div>
  );
}
