import type { EndReason, SessionRecord } from './sessionState';

// Bumped whenever a message's shape changes: two versions of an app open side by side
// ignore what they cannot read instead of misreading it.
export const TAB_PROTOCOL_VERSION = 2;

/**
 * What one tab tells the others. `from` names the session a refresh replaces by its
 * lineage (`login/generation`), never by a token.
 */
export type TabMessage<TUser> =
  /** This session is now current; its lineage says what it descends from. */
  | { type: 'session'; session: SessionRecord<TUser> }
  /**
   * The session of this login ended here (a logout, a refused refresh): final for it in every
   * tab. `at` is the login's time (absent from older senders): an ended login still replaced the older ones.
   */
  | { type: 'ended'; login: string; at?: number; reason: EndReason }
  /** A tab took the refresh lock (or won the claim) to replace `from`; repeated as a heartbeat while in flight. */
  | { type: 'refreshing'; from: string }
  /** That refresh is over, whatever its outcome (a `session` or `ended` message precedes success and rejection). */
  | { type: 'refresh-settled'; from: string }
  /** Without Web Locks: a tab wants to refresh `from`; the earliest claim wins, then the lowest ticket. */
  | { type: 'claim'; from: string; at: number; ticket: number }
  /** Presence: a tab opened (`hello`, answered by `here`) or closed (`bye`). */
  | { type: 'hello' | 'here' | 'bye' };

interface Envelope<TUser> {
  v: number;
  tab: string;
  /** The JavaScript realm the sender runs in: clients of one realm already share a lock. */
  realm: string;
  message: TabMessage<TUser>;
}

// Tells this realm's clients from other tabs'. Not a secret; a page has one per load.
const REALM = Math.random().toString(36).slice(2);

export interface TabChannel<TUser> {
  /** This tab's id on the channel. */
  readonly tab: string;
  post(message: TabMessage<TUser>): void;
  /**
   * True once a client of another tab (another realm) has been heard and has not said
   * goodbye: only then is there anyone to coordinate with beyond the realm's own lock.
   */
  hasPeers(): boolean;
  close(): void;
}

/**
 * A BroadcastChannel to the other tabs of this origin, or null where there is none (React
 * Native, old browsers, a server): that tab is on its own. Created only when called, never
 * at import. Messages of another protocol version, or of no known shape, are ignored.
 */
export function openTabChannel<TUser>(
  name: string,
  tab: string,
  onMessage: (message: TabMessage<TUser>, from: string) => void,
  /** Say `hello` on open and `bye` on close (not for a channel opened to post one message). */
  announce = true,
): TabChannel<TUser> | null {
  if (typeof BroadcastChannel == 'undefined') return null;
  const channel = new BroadcastChannel(name);
  const peers = new Set<string>();
  const post = (message: TabMessage<TUser>) => channel.postMessage({ v: TAB_PROTOCOL_VERSION, tab, realm: REALM, message } satisfies Envelope<TUser>);
  channel.onmessage = (event: MessageEvent<Partial<Envelope<TUser>> | null>) => {
    const data = event.data;
    if (data?.v !== TAB_PROTOCOL_VERSION || typeof data.tab != 'string' || typeof data.message?.type != 'string') return;
    const { message } = data;
    if (message.type === 'bye') peers.delete(data.tab);
    else if (data.realm !== REALM) peers.add(data.tab);
    if (message.type === 'hello') post({ type: 'here' });
    onMessage(message, data.tab);
  };
  if (announce) post({ type: 'hello' });
  return {
    tab,
    post,
    hasPeers: () => peers.size > 0,
    close() {
      if (announce) post({ type: 'bye' });
      channel.close();
    },
  };
}
