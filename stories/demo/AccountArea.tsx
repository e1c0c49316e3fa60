import { RequireAuth } from '../../src';
import { LoginForm } from './LoginForm';
import { LogoutButton } from './LogoutButton';
import { MePanel } from './MePanel';

/** The `<RequireAuth>` example: the account when signed in, the login form when not. */
export function AccountArea() {
  return (
    <RequireAuth
      fallback={<LoginForm />}
      loading={
        <div className="card" role="status">
          <span className="spinner" aria-hidden /> Restoring your session…
        </div>
      }
    >
      <section className="card account" aria-label="Account">
        <h2>Your account</h2>
        <p className="muted">Only rendered inside &lt;RequireAuth&gt;.</p>
        <MePanel />
        <LogoutButton />
      </section>
    </RequireAuth>
  );
}
