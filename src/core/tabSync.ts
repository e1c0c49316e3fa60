import { sleep, type Clock } from './clock';
import { compareLineage, type Lineage } from './lineage';
import type { Persistence } from './persistence';
import type { RefreshScheduler } from './refreshScheduler';
import type { EndReason, SessionRecord } from './sessionState';
import type { SessionStore } from './sessionStore';
import { openTabChannel, type TabChannel, type TabMessage } from './tabChannel';

// Long enough for every open tab to hear a claim (BroadcastChannel delivers within
// milliseconds), short beside any token's refresh lead. Waited only when another tab exists.
export const CLAIM_WINDOW_MS = 50;

/** How a refresh names the session it replaces in messages: its lineage, never a token. */
export const keyOf = ({ login, generation }: Lineage) => `${login}/${generation}`;

export interface TabSyncOptions<TUser> {
  store: SessionStore<TUser>;
  persistence: Persistence<TUser>;
  scheduler: RefreshScheduler;
  clock: Clock;
  random: () => number;
  /** The channel's name. */
  name: string;
  crossTab: boolean;
  isLive(): boolean;
}

/** Whether `next` may replace what storage holds: nothing, or an older lineage. */
const newerThan = <TUser>(next: SessionRecord<TUser>) => (stored: SessionRecord<TUser> | null) =>
  !stored || compareLineage(next.lineage, stored.lineage) >= 0 ? next : undefined;

/**
 * What tabs tell each other, and what a tab adopts: only a session that descends from the
 * one it holds, or a newer login; never a session of a login that ended. Storage is
 * written on adopt and cleared on end, without overwriting a newer session another tab stored.
 */
export function createTabSync<TUser>(options: TabSyncOptions<TUser>) {
  const { store, persistence, scheduler, clock, isLive } = options;
  const tab = `${clock.now().toString(36)}-${options.random().toString(36).slice(2, 10)}`;
  const current = () => store.getState().session;
  // Logins whose session ended here or in another tab: nothing of theirs is adopted again.
  const endedLogins = new Set<string>();
  let channel: TabChannel<TUser> | null = null;
  // The latest login time heard of: a login here is stamped after it, so "newer" is the same in every tab.
  let latestAt = -Infinity;
  // A refresh another tab announced (or won the claim for) of the session this tab holds.
  let remote: { from: string; settled: Promise<void>; settle: () => void } | null = null;
  const claims = new Map<string, { ticket: number; lost: boolean }>();

  const post = (message: TabMessage<TUser>) => channel?.post(message);

  function expectRemote(from: string) {
    if (remote?.from === from) return;
    remote?.settle();
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    remote = { from, settled, settle };
  }

  function settleRemote(from?: string) {
    if (from !== undefined && remote?.from !== from) return;
    remote?.settle();
    remote = null;
  }

  /** Takes a session another tab made current, if its lineage allows. */
  function adopt(session: SessionRecord<TUser>) {
    latestAt = Math.max(latestAt, session.lineage.at);
    const held = current();
    if (endedLogins.has(session.lineage.login) || (held && compareLineage(session.lineage, held.lineage) <= 0)) return;
    scheduler.reset();
    store.dispatch({ type: 'session', session });
    void persistence.update(newerThan(session));
  }

  function onMessage(message: TabMessage<TUser>, sender: string) {
    if (!isLive()) return;
    const heldKey = current() && keyOf(current()!.lineage);
    switch (message.type) {
      case 'refreshing':
        if (message.from === heldKey) expectRemote(message.from);
        return;
      case 'refresh-settled':
        return settleRemote(message.from);
      case 'claim': {
        const mine = claims.get(message.from);
        if (mine && (message.ticket < mine.ticket || (message.ticket === mine.ticket && sender < tab))) mine.lost = true;
        return;
      }
      case 'session':
        adopt(message.session);
        break;
      case 'ended':
        endedLogins.add(message.login);
        if (current()?.lineage.login === message.login) {
          store.dispatch({ type: 'ended', reason: 'other-tab' });
          void persistence.update((stored) => (stored?.lineage.login === message.login ? null : undefined));
        }
        break;
      default:
        return;
    }
    settleRemote();
  }

  return {
    open() {
      if (options.crossTab) channel ??= openTabChannel(`authloop:${options.name}`, tab, onMessage);
    },
    close() {
      channel?.close();
      channel = null;
      settleRemote();
    },
    connected: () => channel !== null,
    loginTime: () => Math.max(clock.now(), Math.max(latestAt, current()?.lineage.at ?? -Infinity) + 1),
    /** Tells the other tabs this session is current, and stores it unless storage holds a newer one. */
    commit(session: SessionRecord<TUser>): Promise<void> {
      post({ type: 'session', session });
      return persistence.update(newerThan(session));
    },
    /**
     * Tells the other tabs the session of this lineage's login is over, and removes it from
     * storage. Unconditionally: should another tab have stored a newer login meanwhile, its
     * `session` message brings it back here, and this tab stores it again.
     */
    end(lineage: Lineage | undefined, reason: EndReason): Promise<void> {
      if (lineage) {
        endedLogins.add(lineage.login);
        post({ type: 'ended', login: lineage.login, reason });
      }
      return persistence.write(null);
    },
    /** A stored session this tab may adopt instead of refreshing: one another tab rotated, or a newer login. */
    isAdoptable: (session: SessionRecord<TUser>, held: SessionRecord<TUser>) =>
      !endedLogins.has(session.lineage.login) && compareLineage(session.lineage, held.lineage) > 0,
    announce: (from: string) => post({ type: 'refreshing', from }),
    settled: (from: string) => post({ type: 'refresh-settled', from }),
    /**
     * Without a lock shared by the tabs: claims the refresh of `from`, and loses to a lower
     * ticket. A tab that loses waits for the winner's session like for a locked refresh.
     * Resolves at once when no other tab has been heard.
     */
    async claim(from: string): Promise<void> {
      if (!channel?.hasPeers()) return;
      const mine = { ticket: options.random(), lost: false };
      claims.set(from, mine);
      post({ type: 'claim', from, ticket: mine.ticket });
      await sleep(clock, CLAIM_WINDOW_MS);
      claims.delete(from);
      if (mine.lost) expectRemote(from);
    },
    /** Waits (at most `ms`) for another tab's refresh of `from` to settle, if one is under way. */
    async awaitRemote(from: string, ms: number): Promise<void> {
      if (remote?.from === from) await Promise.race([remote.settled, sleep(clock, ms)]);
    },
  };
}

export type TabSync<TUser> = ReturnType<typeof createTabSync<TUser>>;
