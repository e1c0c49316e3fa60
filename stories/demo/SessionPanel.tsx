import { useMemo, useState } from 'react';
import { useSession, type EndReason } from '../../src';
import { useDemoWorld } from './DemoContext';
import { expiryFill, tokenLifetimeMs } from './expiry';
import { fingerprint, formatClockTime, formatCountdown } from './format';
import { StatusBadge } from './StatusBadge';
import { useNow } from './useNow';

const REASONS: Record<EndReason, string> = {
  expired: 'the refresh token ran out',
  revoked: 'the server revoked it',
  'logged-out': 'you signed out',
  'other-tab': 'another tab signed out',
  'refresh-failed': 'the server answered a refresh with a body authloop could not read',
};

/** Tracks token rotations while rendering (no effect, no ref): counts how often the token changed. */
function useRotations(token: string | null) {
  const [seen, setSeen] = useState({ token, previous: null as string | null, rotations: 0 });
  if (seen.token !== token) {
    const rotated = seen.token !== null && token !== null;
    setSeen({ token, previous: rotated ? seen.token : null, rotations: rotated ? seen.rotations + 1 : 0 });
  }
  return seen;
}

/** Everything `useSession` says: status, user, token fingerprint, expiry countdown, refresh. */
export function SessionPanel() {
  const session = useSession();
  const { clock } = useDemoWorld();
  const token = session.status === 'authenticated' ? session.accessToken : null;
  const now = useNow(clock, token);
  const { previous, rotations } = useRotations(token);

  return (
    <section className="card session" aria-label="Session">
      <h2>
        Session <StatusBadge />
      </h2>
      {session.status === 'loading' && <p className="muted">Reading the stored session…</p>}
      {session.status === 'authenticated' && (
        <>
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
          <dl className="facts">
            <dt>Access token</dt>
            <dd>
              <code className="fp" title="Fingerprint (FNV-1a hash) of the token; the token itself is never shown">
                #{fingerprint(session.accessToken)}
              </code>
              {previous && (
                <span className="muted">
                  {' '}
                  replaced <code className="fp fp-old">#{fingerprint(previous)}</code> · {rotations}× refreshed
                </span>
              )}
            </dd>
            <dt>Expires</dt>
            <dd data-testid="expiry">
              {session.expiresAt === null ? (
                'unknown (refreshed on 401)'
              ) : (
                <>
                  in <strong className="countdown">{formatCountdown(session.expiresAt - now)}</strong>
                  <span className="muted"> · at {formatClockTime(session.expiresAt)}</span>
                </>
              )}
            </dd>
          </dl>
          {session.expiresAt !== null && <ExpiryBar accessToken={session.accessToken} expiresAt={session.expiresAt} now={now} />}
        </>
      )}
      {session.status === 'unauthenticated' && (
        <div data-testid="signed-out">
          {session.reason === null ? (
            <p className="muted">No session yet.</p>
          ) : (
            <p>
              Session ended: <code className="code">{session.reason}</code>{' '}
              <span className="muted">({REASONS[session.reason]})</span>
            </p>
          )}
          {session.error && (
            <p>
              Because of <code className="code">{session.error.code}</code>
              {session.error.status !== undefined && <span className="muted"> · HTTP {session.error.status}</span>}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

/** Fills by the share of the current token's lifetime still left, as the countdown beside it counts. */
function ExpiryBar({ accessToken, expiresAt, now }: { accessToken: string; expiresAt: number; now: number }) {
  const lifetime = useMemo(() => tokenLifetimeMs(accessToken), [accessToken]);
  if (lifetime === null) return null;
  return (
    <div className="expiry-bar" aria-hidden>
      <div data-testid="expiry-fill" style={{ width: `${expiryFill(expiresAt, now, lifetime) * 100}%` }} />
    </div>
  );
}
