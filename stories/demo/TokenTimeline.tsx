import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
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
// The track shows two lifetimes of history and a little more than one ahead; on a narrow
// screen one lifetime of history, so a token stays wide enough for its label.
const PAST_LIFETIMES = 2;
const NARROW_PAST_LIFETIMES = 1;
const FUTURE_LIFETIMES = 1.15;
const DEFAULT_LIFETIME_MS = 20_000;
// Below this plot width (CSS px) the track counts as narrow: a phone held upright.
const NARROW_PLOT_PX = 400;
// Axis labels ("+120s" at 11px) need this much room each, or they run together.
const AXIS_LABEL_PX = 40;
// A token label ("#1a2b3c" at 11px monospace, with padding) needs this much of its bar.
const TOKEN_LABEL_PX = 60;

function describe(event: TimelineEvent, startedAt: number): string {
  switch (event.kind) {
    case 'issued':
      return `Signed in: token #${event.fp} issued${event.expiresAt === null ? '' : `, valid for ${formatDuration(event.lifetimeMs ?? event.expiresAt - event.at)}`}`;
    case 'scheduled':
      return `Refresh of #${event.fp} scheduled for ${formatOffset(event.dueAt - startedAt)}, ${formatDuration(event.expiresAt - event.dueAt)} before it expires`;
    case 'refresh-started':
      return `Refresh request sent while #${event.fp} is still valid`;
    case 'server':
      return `Server answered ${ROUTES[event.endpoint]} → ${event.status === 0 ? 'network error' : event.status}`;
    case 'rotated':
      return `Rotated: #${event.from} → #${event.to}${event.expiresAt === null ? '' : `, valid for ${formatDuration(event.lifetimeMs ?? event.expiresAt - event.at)}`}`;
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
      .map(
        (t): ExpiredEvent => ({ kind: 'expired', at: t.expiresAt!, fp: t.fp, replacedAt: t.end?.kind === 'replaced' ? t.end.at : null }),
      ),
  ]
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at - b.event.at || ORDER[a.event.kind] - ORDER[b.event.kind] || a.index - b.index)
    .map(({ event }) => event);

  const { ref: plotRef, width } = usePlotWidth();
  const latest = tokens.at(-1);
  const lifetime = latest?.expiresAt != null ? latest.expiresAt - latest.issuedAt : DEFAULT_LIFETIME_MS;
  const from = now - (width < NARROW_PLOT_PX ? NARROW_PAST_LIFETIMES : PAST_LIFETIMES) * lifetime;
  const to = now + FUTURE_LIFETIMES * lifetime;
  const scale: Scale = { from, to, width };

  return (
    <section className="card timeline" aria-label="Token lifecycle">
      <div className="timeline-head">
        <h2>Token lifecycle</h2>
        <span className="legend" aria-label="Legend">
          <LegendEntry kind="fresh" label="fresh" />
          <LegendEntry kind="due" label="refresh window" />
          <LegendEntry kind="replaced" label="replaced" />
          <LegendEntry kind="revoked" label="revoked" />
          <LegendEntry kind="ended" label="signed out" />
        </span>
      </div>
      <div className="track" aria-hidden>
        <div className="plot" ref={plotRef} data-testid="timeline-plot">
          <Axis scale={scale} startedAt={startedAt} lifetime={lifetime} />
          <div className="lane server-lane">
            <span className="lane-label">server</span>
            {requests
              .filter((r) => r.at >= from && TOKEN_ENDPOINTS.has(r.endpoint))
              .map((r, i) => (
                <span
                  key={`${r.at}-${i}`}
                  className={`tick tick-${r.endpoint} ${r.status >= 200 && r.status < 300 ? '' : 'tick-bad'}`}
                  style={{ left: x(scale, r.at) }}
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
                  <TokenBar key={token.fp + token.issuedAt} token={token} scale={scale} />
                ))}
            </div>
          ))}
          <div className="now-line" data-testid="now-line" style={{ left: x(scale, now) }}>
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

/** The visible window of the track: times `from`..`to` across `width` CSS pixels. */
interface Scale {
  from: number;
  to: number;
  width: number;
}

const fraction = ({ from, to }: Scale, t: number) => Math.min(1, Math.max(0, (t - from) / (to - from)));
const x = (scale: Scale, t: number) => `${fraction(scale, t) * 100}%`;
const span = (scale: Scale, start: number, end: number) => ({
  left: x(scale, start),
  width: `${(fraction(scale, end) - fraction(scale, start)) * 100}%`,
});

/** The plot's width in CSS pixels, kept up to date as the page is resized. */
function usePlotWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  // Measured before the first paint, so the axis is never drawn for a width it does not have.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

function LegendEntry({ kind, label }: { kind: string; label: string }) {
  return (
    <span className="legend-entry">
      <span className={`swatch ${kind}`} /> {label}
    </span>
  );
}

/**
 * One token: fresh until its refresh is due, then the refresh window until it expires. The
 * end of its use is drawn over the rest: replaced by a rotation, revoked by the server, or
 * dropped by a sign-out.
 */
function TokenBar({ token, scale }: { token: TokenSpan; scale: Scale }) {
  if (token.expiresAt === null) return null;
  const due = token.dueAt ?? token.expiresAt;
  const end = token.end;
  // The label sits where the bar comes into view, and only where the bar has room for it.
  const labelAt = Math.max(token.issuedAt, scale.from);
  const room = (fraction(scale, token.expiresAt) - fraction(scale, labelAt)) * scale.width;
  return (
    <>
      <span className="bar fresh" style={span(scale, token.issuedAt, due)} />
      <span className="bar due" style={span(scale, due, token.expiresAt)} />
      {end !== null && end.at < token.expiresAt && (
        <span className={`bar ${end.kind}`} data-end={end.kind} style={span(scale, end.at, token.expiresAt)} />
      )}
      {token.dueAt !== null && <span className="due-marker" style={{ left: x(scale, token.dueAt) }} title="refresh due" />}
      {room >= TOKEN_LABEL_PX && (
        <span className="bar-label" data-testid="token-label" style={{ left: x(scale, labelAt) }}>
          #{token.fp}
        </span>
      )}
    </>
  );
}

function Axis({ scale, startedAt, lifetime }: { scale: Scale; startedAt: number; lifetime: number }) {
  const { from, to, width } = scale;
  // A tick every quarter lifetime, on round offsets from the start; fewer when the plot is too
  // narrow for their labels.
  let step = Math.max(1000, Math.round(lifetime / 4 / 1000) * 1000);
  while (width > 0 && (step / (to - from)) * width < AXIS_LABEL_PX) step *= 2;
  const ticks: number[] = [];
  // The last label must fit inside the plot, not be cut at its edge.
  const last = to - ((to - from) * AXIS_LABEL_PX) / Math.max(width, 1);
  for (let t = startedAt + Math.max(0, Math.ceil((from - startedAt) / step)) * step; t <= last; t += step) ticks.push(t);
  return (
    <div className="axis">
      {width > 0 &&
        ticks.map((t) => (
          <span key={t} className="axis-tick" data-testid="axis-label" style={{ left: x(scale, t) }}>
            {`+${Math.round((t - startedAt) / 1000)}s`}
          </span>
        ))}
    </div>
  );
}
