import { useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { FakeEndpoint, RequestLogEntry } from '../../src/testing';
import { useDemoWorld } from './DemoContext';
import { formatDuration, formatOffset } from './format';
import type { ClientEvent, TokenSpan } from './timelineRecorder';
import { useNow } from './useNow';

type ServerEvent = { kind: 'server'; at: number; endpoint: FakeEndpoint; status: number };
type ExpiredEvent = { kind: 'expired'; at: number; fp: string; replacedAt: number | null };
type TimelineEvent = ClientEvent | ServerEvent | ExpiredEvent;

// Events at the same instant read in cause-and-effect order.
const ORDER: Record<TimelineEvent['kind'], number> = {
  expired: 0,
  'refresh-started': 1,
  server: 2,
  issued: 3,
  rotated: 3,
  scheduled: 4,
  'refresh-failed': 5,
  ended: 6,
};
// The requests that carry tokens; /auth/me would only crowd the list.
const TOKEN_ENDPOINTS: ReadonlySet<FakeEndpoint> = new Set(['login', 'refresh']);
const ICONS: Record<TimelineEvent['kind'], string> = {
  issued: '●',
  scheduled: '◷',
  'refresh-started': '↻',
  server: '⇄',
  rotated: '✓',
  'refresh-failed': '!',
  expired: '✕',
  ended: '■',
};
const ROUTES: Record<FakeEndpoint, string> = {
  login: 'POST /auth/login',
  refresh: 'POST /auth/refresh',
  me: 'GET /auth/me',
  todos: 'GET /api/todos',
};
const SHOWN_EVENTS = 14;
// The fake server has no events to subscribe to: read its log as often as the clock ticks.
const POLL_MS = 250;
// The track shows two lifetimes of history and a little more than one ahead.
const PAST_LIFETIMES = 2;
const FUTURE_LIFETIMES = 1.15;
const DEFAULT_LIFETIME_MS = 20_000;

function describe(event: TimelineEvent, startedAt: number): string {
  switch (event.kind) {
    case 'issued':
      return `Signed in: token #${event.fp} issued${event.expiresAt === null ? '' : `, valid for ${formatDuration(event.expiresAt - event.at)}`}`;
    case 'scheduled':
      return `Refresh of #${event.fp} scheduled for ${formatOffset(event.dueAt - startedAt)}, ${formatDuration(event.expiresAt - event.dueAt)} before it expires`;
    case 'refresh-started':
      return `Refresh request sent while #${event.fp} is still valid`;
    case 'server':
      return `Server answered ${ROUTES[event.endpoint]} → ${event.status === 0 ? 'network error' : event.status}`;
    case 'rotated':
      return `Rotated: #${event.from} → #${event.to}${event.expiresAt === null ? '' : `, valid for ${formatDuration(event.expiresAt - event.at)}`}`;
    case 'refresh-failed':
      return `Refresh failed: #${event.fp} kept, retrying with backoff`;
    case 'expired':
      return event.replacedAt === null
        ? `#${event.fp} expired`
        : `#${event.fp} expired, ${formatDuration(event.at - event.replacedAt)} after it was replaced`;
    case 'ended':
      return `Session ended${event.reason ? `: ${event.reason}` : ''}`;
  }
}

function useServerRequests(): RequestLogEntry[] {
  const { control } = useDemoWorld();
  const [requests, setRequests] = useState(() => control.requests());
  useEffect(() => {
    const id = setInterval(() => {
      const next = control.requests();
      setRequests((current) => (current.length === next.length ? current : next));
    }, POLL_MS);
    return () => clearInterval(id);
  }, [control]);
  return requests;
}

/**
 * A live picture of the access tokens: when each was issued, when the client is due to
 * refresh it, the refresh request, the rotation, and the old token's expiry, with the
 * fake server's answers in between. Tokens appear as fingerprints only.
 */
export function TokenTimeline({ children }: { children?: ReactNode }) {
  const { clock, startedAt, timeline } = useDemoWorld();
  const { tokens, events } = useSyncExternalStore(timeline.subscribe, timeline.getState);
  const requests = useServerRequests();
  const now = useNow(clock);

  const all: TimelineEvent[] = [
    ...events,
    ...requests
      .filter((r) => TOKEN_ENDPOINTS.has(r.endpoint))
      .map((r): ServerEvent => ({ kind: 'server', at: r.at, endpoint: r.endpoint, status: r.status })),
    ...tokens
      .filter((t) => t.expiresAt !== null && t.expiresAt <= now)
      .map((t): ExpiredEvent => ({ kind: 'expired', at: t.expiresAt!, fp: t.fp, replacedAt: t.replacedAt })),
  ]
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at - b.event.at || ORDER[a.event.kind] - ORDER[b.event.kind] || a.index - b.index)
    .map(({ event }) => event);

  const latest = tokens.at(-1);
  const lifetime = latest?.expiresAt != null ? latest.expiresAt - latest.issuedAt : DEFAULT_LIFETIME_MS;
  const from = now - PAST_LIFETIMES * lifetime;
  const to = now + FUTURE_LIFETIMES * lifetime;
  const x = (t: number) => `${Math.min(100, Math.max(0, ((t - from) / (to - from)) * 100))}%`;

  return (
    <section className="card timeline" aria-label="Token lifecycle">
      <div className="timeline-head">
        <h2>Token lifecycle</h2>
        <span className="legend">
          <span className="swatch fresh" /> fresh <span className="swatch due" /> refresh window{' '}
          <span className="swatch retired" /> replaced
        </span>
      </div>
      <div className="track" aria-hidden>
        <div className="plot">
        <Axis from={from} to={to} startedAt={startedAt} lifetime={lifetime} x={x} />
        <div className="lane server-lane">
          <span className="lane-label">server</span>
          {requests
            .filter((r) => r.at >= from && TOKEN_ENDPOINTS.has(r.endpoint))
            .map((r, i) => (
              <span
                key={`${r.at}-${i}`}
                className={`tick tick-${r.endpoint} ${r.status >= 200 && r.status < 300 ? '' : 'tick-bad'}`}
                style={{ left: x(r.at) }}
                title={`${ROUTES[r.endpoint]} → ${r.status}`}
              >
                {r.endpoint[0]!.toUpperCase()}
              </span>
            ))}
        </div>
        {[0, 1].map((lane) => (
          <div className="lane" key={lane}>
            {tokens
              .map((token, index) => ({ token, index }))
              .filter(({ index, token }) => index % 2 === lane && (token.expiresAt ?? Infinity) >= from)
              .map(({ token }) => (
                <TokenBar key={token.fp + token.issuedAt} token={token} x={x} />
              ))}
          </div>
        ))}
        <div className="now-line" style={{ left: x(now) }}>
          <span>now</span>
        </div>
        </div>
      </div>
      <ol className="events" aria-label="Timeline events">
        {all
          .slice(-SHOWN_EVENTS)
          .reverse()
          .map((event, index) => (
            <li key={`${event.kind}-${event.at}-${index}`} data-kind={event.kind} className={`event event-${event.kind}`}>
              <time>{formatOffset(event.at - startedAt)}</time>
              <span className="icon" aria-hidden>
                {ICONS[event.kind]}
              </span>
              <span>{describe(event, startedAt)}</span>
            </li>
          ))}
      </ol>
      {children}
    </section>
  );
}

function TokenBar({ token, x }: { token: TokenSpan; x: (t: number) => string }) {
  if (token.expiresAt === null) return null;
  const due = token.dueAt ?? token.expiresAt;
  const retired = token.replacedAt;
  return (
    <>
      <span className="bar fresh" style={{ left: x(token.issuedAt), width: `calc(${x(due)} - ${x(token.issuedAt)})` }}>
        #{token.fp}
      </span>
      <span className="bar due" style={{ left: x(due), width: `calc(${x(token.expiresAt)} - ${x(due)})` }} />
      {retired !== null && (
        <span className="bar retired" style={{ left: x(retired), width: `calc(${x(token.expiresAt)} - ${x(retired)})` }} />
      )}
      {token.dueAt !== null && <span className="due-marker" style={{ left: x(token.dueAt) }} title="refresh due" />}
    </>
  );
}

function Axis({
  from,
  to,
  startedAt,
  lifetime,
  x,
}: {
  from: number;
  to: number;
  startedAt: number;
  lifetime: number;
  x: (t: number) => string;
}) {
  // A tick every quarter lifetime, on round offsets from the start.
  const step = Math.max(1000, Math.round(lifetime / 4 / 1000) * 1000);
  const ticks: number[] = [];
  for (let t = startedAt + Math.max(0, Math.ceil((from - startedAt) / step)) * step; t <= to; t += step) ticks.push(t);
  return (
    <div className="axis">
      {ticks.map((t) => (
        <span key={t} className="axis-tick" style={{ left: x(t) }}>
          {`+${Math.round((t - startedAt) / 1000)}s`}
        </span>
      ))}
    </div>
  );
}
