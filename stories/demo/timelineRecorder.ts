import { tokenLifetimeMs } from './expiry';
import type { AuthClient, AuthSnapshot, Clock, EndReason } from '../../src';
import { fingerprint } from './format';

/** One access token as this page saw it. Holds a fingerprint, never the token. */
export interface TokenSpan {
  fp: string;
  issuedAt: number;
  expiresAt: number | null;
  /** When the client is due to refresh it (the documented rule: `exp - min(leeway, lifetime / 2)`). */
  dueAt: number | null;
  /** When the client stopped using it, and why; `null` while it is the current token. */
  end: TokenEnd | null;
}

/**
 * How a token's use ended: `replaced` by a rotation (it stays valid until it expires),
 * `revoked` when the server refused the session, `ended` when the session ended otherwise
 * (signed out here or in another tab, or the refresh token ran out).
 */
export interface TokenEnd {
  at: number;
  kind: 'replaced' | 'revoked' | 'ended';
}

/** Something the client did, in the order it happened. */
export type ClientEvent =
  | { kind: 'issued'; at: number; fp: string; expiresAt: number | null; lifetimeMs: number | null }
  | { kind: 'scheduled'; at: number; fp: string; dueAt: number; expiresAt: number }
  | { kind: 'refresh-started'; at: number; fp: string }
  | { kind: 'rotated'; at: number; from: string; to: string; expiresAt: number | null; lifetimeMs: number | null }
  | { kind: 'refresh-failed'; at: number; fp: string }
  | { kind: 'ended'; at: number; reason: EndReason | null };

export interface TimelineState {
  tokens: TokenSpan[];
  events: ClientEvent[];
}

export interface TimelineRecorder {
  /** Starts listening to the client; returns the function that stops. */
  attach(client: AuthClient): () => void;
  subscribe(listener: () => void): () => void;
  getState(): TimelineState;
}

type Snapshot = AuthSnapshot<unknown>;

/**
 * Listens to the client directly (`client.subscribe`) rather than through a render, so no
 * transition is lost to React batching two snapshots into one render.
 */
export function createTimelineRecorder(clock: Clock, leewayMs: number): TimelineRecorder {
  let last: Snapshot | null = null;
  let state: TimelineState = { tokens: [], events: [] };
  const listeners = new Set<() => void>();

  function dueAt(issuedAt: number, expiresAt: number | null): number | null {
    if (expiresAt === null) return null;
    return expiresAt - Math.min(leewayMs, (expiresAt - issuedAt) / 2);
  }

  function observe(snapshot: Snapshot) {
    if (snapshot === last) return;
    const previous = last;
    last = snapshot;
    const at = clock.now();
    const tokens = [...state.tokens];
    const events: ClientEvent[] = [];
    const before = previous?.status === 'authenticated' ? previous : null;

    if (snapshot.status === 'authenticated') {
      const fp = fingerprint(snapshot.accessToken);
      if (before?.accessToken !== snapshot.accessToken) {
        const due = dueAt(at, snapshot.expiresAt);
        // What the token states it lives, not what is left of it on arrival (the client lays expiry from the send).
        const lifetimeMs = tokenLifetimeMs(snapshot.accessToken) ?? (snapshot.expiresAt === null ? null : snapshot.expiresAt - at);
        if (before) {
          const from = fingerprint(before.accessToken);
          const index = tokens.findIndex((token) => token.fp === from && token.end === null);
          if (index >= 0) tokens[index] = { ...tokens[index]!, end: { at, kind: 'replaced' } };
          events.push({ kind: 'rotated', at, from, to: fp, expiresAt: snapshot.expiresAt, lifetimeMs });
        } else {
          events.push({ kind: 'issued', at, fp, expiresAt: snapshot.expiresAt, lifetimeMs });
        }
        tokens.push({ fp, issuedAt: at, expiresAt: snapshot.expiresAt, dueAt: due, end: null });
        if (due !== null && snapshot.expiresAt !== null) {
          events.push({ kind: 'scheduled', at, fp, dueAt: due, expiresAt: snapshot.expiresAt });
        }
      } else if (snapshot.isRefreshing && !before.isRefreshing) {
        events.push({ kind: 'refresh-started', at, fp });
      } else if (!snapshot.isRefreshing && before.isRefreshing) {
        events.push({ kind: 'refresh-failed', at, fp });
      }
    } else if (snapshot.status === 'unauthenticated' && before) {
      const fp = fingerprint(before.accessToken);
      const index = tokens.findIndex((token) => token.fp === fp && token.end === null);
      const kind = snapshot.reason === 'revoked' ? 'revoked' : 'ended';
      if (index >= 0) tokens[index] = { ...tokens[index]!, end: { at, kind } };
      events.push({ kind: 'ended', at, reason: snapshot.reason });
    }

    if (events.length === 0) return;
    state = { tokens, events: [...state.events, ...events] };
    listeners.forEach((listener) => listener());
  }

  return {
    attach(client) {
      observe(client.getSnapshot() as Snapshot);
      return client.subscribe(() => observe(client.getSnapshot() as Snapshot));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getState: () => state,
  };
}
