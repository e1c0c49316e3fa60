import { useState } from 'react';
import { useSession, type Session } from '../../src';
import { fingerprint } from './format';
import { StatusBadge } from './StatusBadge';

/** The statuses this component rendered with, in order, repeats folded: recorded while rendering (no effect). */
function useRenderedStatuses(status: Session['status']): readonly Session['status'][] {
  const [seen, setSeen] = useState<readonly Session['status'][]>([status]);
  if (seen[seen.length - 1] !== status) {
    const next = [...seen, status];
    setSeen(next);
    return next;
  }
  return seen;
}

/**
 * What a page started from `initialSession` shows: signed in from its first render, the
 * user the server knew, and no access token until the first refresh through the cookie.
 */
export function ServerRenderedSession() {
  const session = useSession();
  const rendered = useRenderedStatuses(session.status);
  return (
    <section className="card session" aria-label="Server-rendered session">
      <h2>
        Session <StatusBadge />
      </h2>
      {session.status === 'authenticated' && (
        <div className="user">
          <span className="avatar" aria-hidden>
            {session.user.firstName[0]}
            {session.user.lastName[0]}
          </span>
          <div>
            <strong data-testid="user-name">
              {session.user.firstName} {session.user.lastName}
            </strong>
            <div className="muted">@{session.user.username}</div>
          </div>
        </div>
      )}
      <dl className="facts">
        <dt>Rendered as</dt>
        <dd data-testid="rendered-statuses">{rendered.join(' → ')}</dd>
        <dt>Access token</dt>
        <dd data-testid="access-token">
          {session.status === 'authenticated' && session.accessToken !== '' ? (
            <code className="fp" title="Fingerprint (FNV-1a hash) of the token; the token itself is never shown">
              #{fingerprint(session.accessToken)}
            </code>
          ) : (
            <span className="muted">none yet: the server render had the user, not a token</span>
          )}
        </dd>
      </dl>
    </section>
  );
}
