import { useEffect, useState } from 'react';
import type { FakeEndpoint, RequestLogEntry } from '../../src/testing';
import { useDemoWorld } from './DemoContext';
import { formatClockTime, formatOffset } from './format';
import { useNow } from './useNow';

const SHOWN: readonly FakeEndpoint[] = ['login', 'refresh', 'me'];
const ROUTES: Record<FakeEndpoint, string> = {
  login: 'POST /auth/login',
  refresh: 'POST /auth/refresh',
  me: 'GET /auth/me',
  todos: 'GET /api/todos',
};
const STEPS = [
  { label: '+1 s', ms: 1_000 },
  { label: '+10 s', ms: 10_000 },
  { label: '+1 min', ms: 60_000 },
  { label: '+14 min', ms: 14 * 60_000 },
];
// The fake server has no events to subscribe to: read it as often as the clock ticks.
const POLL_MS = 250;

function useServerLog() {
  const { control } = useDemoWorld();
  const [log, setLog] = useState(() => ({ counts: control.counts(), requests: control.requests() }));
  useEffect(() => {
    const id = setInterval(() => setLog({ counts: control.counts(), requests: control.requests() }), POLL_MS);
    return () => clearInterval(id);
  }, [control]);
  return log;
}

/**
 * Not part of the package: the fake server (msw in a service worker, from `authloop/testing`)
 * and the demo clock, so a visitor sees every request and can move time along.
 */
export function ServerPanel() {
  const { testClock, clock, startedAt } = useDemoWorld();
  const now = useNow(clock);
  const { counts, requests } = useServerLog();
  const [advancing, setAdvancing] = useState(false);

  async function advance(ms: number) {
    if (!testClock) return;
    setAdvancing(true);
    try {
      await testClock.advance(ms);
    } finally {
      setAdvancing(false);
    }
  }

  return (
    <section className="card server" aria-label="Fake server">
      <div className="server-head">
        <h2>
          Fake server <span className="muted small">msw · authloop/testing</span>
        </h2>
        <div className="requests" aria-label="Request counts">
          {SHOWN.map((endpoint) => (
            <span key={endpoint} className="chip" data-testid={`count-${endpoint}`}>
              {endpoint} <strong>{counts[endpoint]}</strong>
            </span>
          ))}
        </div>
      </div>
      <div className="clock-row">
        <span>
          Clock <strong>{formatClockTime(now)}</strong>{' '}
          <span className="muted">({formatOffset(now - startedAt)})</span>
        </span>
        {testClock ? (
          <span className="steps">
            <span className="muted">paused demo clock:</span>
            {STEPS.map((step) => (
              <button key={step.label} type="button" disabled={advancing} onClick={() => void advance(step.ms)}>
                {step.label}
              </button>
            ))}
          </span>
        ) : (
          <span className="muted">real time</span>
        )}
      </div>
      <RequestList requests={requests} startedAt={startedAt} />
      <Waiting count={Object.values(counts).reduce((sum, n) => sum + n, 0) - requests.length} />
    </section>
  );
}

function Waiting({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <p className="waiting">
      <span className="spinner" aria-hidden /> {count === 1 ? '1 request is' : `${count} requests are`} waiting for the server
    </p>
  );
}

function RequestList({ requests, startedAt }: { requests: RequestLogEntry[]; startedAt: number }) {
  if (requests.length === 0) return <p className="muted small">No requests answered yet.</p>;
  return (
    <ol className="request-list">
      {requests.slice(-5).map((request, index) => (
        <li key={`${request.at}-${index}`}>
          <span className="muted">{formatOffset(request.at - startedAt)}</span>{' '}
          <span className="route">{ROUTES[request.endpoint]}</span>{' '}
          <span className={`http ${request.status >= 200 && request.status < 300 ? 'ok' : 'bad'}`}>
            {request.status === 0 ? 'network error' : request.status}
          </span>
        </li>
      ))}
    </ol>
  );
}
