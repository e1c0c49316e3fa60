import { useState, type FormEvent } from 'react';
import { useLogin } from '../../src';
import { ErrorNote } from './ErrorNote';

/** Username, password, submit and the error: `useLogin` and nothing else. */
export function LoginForm() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useLogin();

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate({ username, password });
  }

  return (
    <form className="card login-form" aria-label="Sign in" onSubmit={submit}>
      <h2>Sign in</h2>
      <label>
        Username
        <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button type="submit" className="primary" disabled={login.isPending}>
        {login.isPending ? (
          <>
            <span className="spinner" aria-hidden /> Signing in…
          </>
        ) : (
          'Sign in'
        )}
      </button>
      {login.isError && <ErrorNote title="Sign-in failed" error={login.error} />}
      <p className="hint">
        Demo account: <code>emilys</code> / <code>emilyspass</code>
      </p>
    </form>
  );
}
