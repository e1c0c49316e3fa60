import type { AuthError } from '../../src';

/** An AuthError as a person reads it: the stable code, the message, the HTTP status if any. */
export function ErrorNote({ error, title }: { error: AuthError; title: string }) {
  return (
    <div className="error-note" role="alert">
      <strong>{title}</strong>
      <p>
        <code className="code">{error.code}</code>
        {error.status !== undefined && <span className="muted"> · HTTP {error.status}</span>}
      </p>
      <p>{error.message}</p>
    </div>
  );
}
