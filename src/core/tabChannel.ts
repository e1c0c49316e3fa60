import type { EndReason, SessionRecord } from './sessionState';

// Bumped whenever a message's shape changes: two versions of an app open side by side
// ignore what they cannot read instead of misreading it.
export const TAB_PROTOCOL_VERSION = 1;

/** What one tab tells the others. `from` is the access token of the session a message concerns. */
export type TabMessage<TUser> =
  | { type: 'session'; session: SessionRecord<TUser> }
  | { type: 'ended'; reason: EndReason }
  /** A tab took the refresh lock to replace the session whose access token is `from`. */
  | { type: 'refreshing'; from: string }
  /** That refresh is over, whatever its outcome (a `session` or `ended` message precedes success and rejection). */
  | { type: 'refresh-settled'; from: string };

export interface TabChannel<TUser> {
  post(message: TabMessage<TUser>): void;
  close(): void;
}

/**
 * A BroadcastChannel to the other tabs of this origin, or null where there is none (React
 * Native, old browsers, a server): that tab is on its own. Created only when called, never
 * at import.
 */
export function openTabChannel<TUser>(name: string, onMessage: (message: TabMessage<TUser>) => void): TabChannel<TUser> | null {
  if (typeof BroadcastChannel == 'undefined') return null;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event: MessageEvent<{ v?: unknown; message?: TabMessage<TUser> }>) => {
    const data = event.data as { v?: unknown; message?: TabMessage<TUser> } | null;
    if (data?.v === TAB_PROTOCOL_VERSION && data.message) onMessage(data.message);
  };
  return {
    post: (message) => channel.postMessage({ v: TAB_PROTOCOL_VERSION, message }),
    close: () => channel.close(),
  };
}
