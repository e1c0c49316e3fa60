import { useEffect, useState } from 'react';
import type { AuthEventType } from '../../src';
import { useDemoWorld } from './DemoContext';
import { fingerprint, formatOffset } from './format';

interface LoggedEvent {
  type: AuthEventType;
  at: number;
  /** What the event said, for a person: names, fingerprints and codes, never a token. */
  detail: string;
}

/** Every `client.on` event since this panel mounted, oldest first. */
export function EventLog() {
  const { client, clock, startedAt } = useDemoWorld();
  const [events, setEvents] = useState<readonly LoggedEvent[]>([]);

  useEffect(() => {
    const add = (type: AuthEventType, detail: string) => setEvents((list) => [...list, { type, at: clock.now(), detail }]);
    const stops = [
      client.on('login', ({ user, accessToken }) => add('login', `${user.firstName} ${user.lastName}, token #${fingerprint(accessToken)}`)),
      client.on('refresh', ({ accessToken }) => add('refresh', `new token #${fingerprint(accessToken)}`)),
      client.on('logout', ({ reason, error }) => add('logout', `reason ${reason ?? 'none'}${error ? `, because of ${error.code}` : ''}`)),
      client.on('error', (error) => add('error', error.code)),
    ];
    return () => stops.forEach((stop) => stop());
  }, [client, clock]);

  return (
    <section className="card" aria-label="Event log">
      <h2>
        Events <span className="endpoint">client.on(…)</span>
      </h2>
      {events.length === 0 ? (
        <p className="muted">Listening to login, refresh, logout and error. Nothing yet.</p>
      ) : (
        <ol className="request-list" aria-label="Auth events">
          {events.map((event, index) => (
            <li key={index} data-kind={event.type}>
              <time className="muted">{formatOffset(event.at - startedAt)}</time> <code className="code">{event.type}</code>{' '}
              {event.detail}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
