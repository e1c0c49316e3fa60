import { useMutation } from '@tanstack/react-query';
import { useLogin, useLogout, useSession, type AuthError } from '../../src';
import { DEMO_USER } from '../support/environment';
import { useDemoWorld } from './DemoContext';
import { ErrorNote } from './ErrorNote';

/** Three buttons, each of which makes the client emit an event: sign in, rotate the token now, sign out. */
export function EventControls() {
  const { client } = useDemoWorld();
  const status = useSession((s) => s.status);
  const login = useLogin();
  const logout = useLogout();
  const refresh = useMutation<void, AuthError>({ mutationFn: () => client.refresh() });
  const signedIn = status === 'authenticated';

  return (
    <section className="card" aria-label="Actions">
      <h2>Actions</h2>
      <div className="lifecycle-controls">
        <button type="button" className="primary" onClick={() => login.mutate(DEMO_USER)} disabled={signedIn || login.isPending}>
          Log in
        </button>
        <button type="button" onClick={() => refresh.mutate()} disabled={!signedIn || refresh.isPending}>
          Refresh now
        </button>
        <button type="button" className="secondary" onClick={() => logout.mutate()} disabled={!signedIn || logout.isPending}>
          Log out
        </button>
      </div>
      {login.isError && <ErrorNote title="Sign-in failed" error={login.error} />}
      {refresh.isError && <ErrorNote title="Refresh failed" error={refresh.error} />}
    </section>
  );
}
