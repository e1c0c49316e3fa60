import { sleep, type Clock } from './clock';
import { compareLineage, isTimeless, SERVER_LINEAGE, type Lineage } from './lineage';
import type { Persistence } from './persistence';
import type { RefreshScheduler } from './refreshScheduler';
import type { EndReason, SessionRecord } from './sessionState';
import type { SessionStore } from './sessionStore';
import type { TabMessage } from './tabChannel';
import { yieldToMessages } from './refreshLock';
import { createTabLink } from './tabLink';

// Long enough for every open tab to hear a claim (BroadcastChannel delivers within
// milliseconds, tens of them on a loaded machine: 50 ms lost a race in 1 of 12 end-to-end
// configurations on 2 busy cores), short beside any token's refresh lead. Waited only when another tab exists.
export const CLAIM_WINDOW_MS = 150;
// A tab refreshing says so this often; one not heard for STALE_MS has closed or frozen, and
// the others stop waiting for it: a dead tab blocks them for seconds, not a request timeout.
export const HEARTBEAT_MS = 1_000;
export const STALE_MS = 2_500;
// How finely that silence is measured: a closed tab is given up within a step of STALE_MS.
const QUIET_STEP_MS = 250;

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
 * one it holds, or a newer login; never a session of a login that ended, nor of one older
 * than a login it has held or heard of (which replaced it). Storage is
 * written on adopt and cleared on end, without overwriting a newer session another tab stored.
 */
export function createTabSync<TUser>(options: TabSyncOptions<TUser>) {
  const { store, persistence, scheduler, clock, isLive } = options;
  const tab = `${clock.now().toString(36)}-${options.random().toString(36).slice(2, 10)}`;
  const current = () => store.getState().session;
  // Logins whose session ended here or in another tab: nothing of theirs is adopted again.
  // By login id, with the login's time.
  const endedLogins = new Map<string, number | undefined>();
  const link = createTabLink<TUser>({ name: `authloop:${options.name}`, tab, clock, crossTab: options.crossTab, introductionMs: CLAIM_WINDOW_MS, onMessage });
  const post = link.post;
  // The newest login this tab has held or heard of: a login here is stamped after it, so
  // "newer" is the same in every tab; and an older login, which it replaced, is never taken again.
  let newest: Lineage | null = null;
  const olderLogin = (lineage: Lineage) => newest !== null && !isTimeless(lineage) && lineage.login !== newest.login && compareLineage(lineage, newest) < 0;
  const know = (lineage: Lineage) => {
    if (newest === null || compareLineage(lineage, newest) > 0) newest = lineage;
  };
  // A refresh another tab announced (or won the claim for) of the session this tab holds,
  // and when it was last heard of.
  let remote: { from: string; owner: string | null; beats: number; seen: number; settled: Promise<void>; settle: () => void } | null = null;
  // The refresh this tab has on the wire, if any: it answers claims and hellos for it at once.
  let mine: string | null = null;
  // Claims heard, by the session they would refresh, then by tab; renewed by heartbeats.
  // `heard` numbers them in the order they arrived: how old a claim is is never read off the
  // wall clock, which a laptop's sleep or a clock set back moves by hours.
  const claims = new Map<string, Map<string, { at: number; ticket: number; heard: number }>>();
  let heard = 0;

  function expectRemote(from: string, owner: string | null = null) {
    if (remote?.from === from) {
      remote.owner ??= owner;
      remote.beats += 1;
      return void (remote.seen = clock.now());
    }
    remote?.settle();
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    remote = { from, owner, beats: 0, seen: clock.now(), settled, settle };
  }

  function heardClaim(from: string, sender: string, at: number, ticket: number) {
    const byTab = claims.get(from) ?? new Map<string, { at: number; ticket: number; heard: number }>();
    claims.set(from, byTab);
    // A tab's latest claim replaces its earlier one: a tab that gave up on a quiet winner claims anew.
    byTab.set(sender, { at, ticket, heard: ++heard });
  }

  function settleRemote(from?: string) {
    if (from !== undefined && remote?.from !== from) return;
    remote?.settle();
    remote = null;
  }

  /** Takes a session another tab made current, if its lineage allows; true when it did. */
  function adopt(session: SessionRecord<TUser>): boolean {
    const held = current();
    const refused = endedLogins.has(session.lineage.login) || olderLogin(session.lineage) || (held && compareLineage(session.lineage, held.lineage) <= 0);
    know(session.lineage);
    if (refused) return false;
    scheduler.reset();
    store.dispatch({ type: 'session', session });
    void persistence.update(newerThan(session));
    return true;
  }

  function ended(login: string, at: number | undefined) {
    // A login of unknown time (server-rendered, or stored before lineages) is shared by every
    // such session: its end signs out the tabs holding it now, but bars no later one.
    if (isTimeless({ login, at: 0, generation: 0 })) return;
    endedLogins.set(login, at);
    if (Number.isFinite(at)) know({ login, at: at!, generation: 0 });
  }

  const isAdoptable = (session: SessionRecord<TUser>, held: SessionRecord<TUser>) =>
    !endedLogins.has(session.lineage.login) && !olderLogin(session.lineage) && compareLineage(session.lineage, held.lineage) > 0;

  function onMessage(message: TabMessage<TUser>, sender: string) {
    if (!isLive()) return;
    const heldKey = current() && keyOf(current()!.lineage);
    switch (message.type) {
      case 'refreshing':
        // A tab refreshing outranks every claim: it is the earliest.
        heardClaim(message.from, sender, -Infinity, -Infinity);
        if (message.from === heldKey) expectRemote(message.from, sender);
        return;
      case 'refresh-settled':
        claims.delete(message.from);
        return settleRemote(message.from);
      case 'claim':
        // A claim for what this tab is refreshing loses at once: say so now, not at the next heartbeat.
        if (mine === message.from) post({ type: 'refreshing', from: mine });
        return heardClaim(message.from, sender, message.at, message.ticket);
      case 'bye':
        // A tab that closed claims nothing; if this one waits for its refresh, it waits no longer.
        for (const byTab of claims.values()) byTab.delete(sender);
        if (remote?.owner === sender) settleRemote();
        return;
      case 'session': {
        // The outcome a wait is for: a session that replaces this one. Not a stale one, nor one refused.
        if (adopt(message.session)) settleRemote();
        // A tab holding a login that ended here has not heard (it was closed, or this tab was
        // unmounted when it said hello): tell it.
        const { login } = message.session.lineage;
        if (endedLogins.has(login)) post({ type: 'ended', login, at: endedLogins.get(login), reason: 'other-tab' });
        return;
      }
      case 'hello':
        // A tab that just opened, or that lost track, hears what this one holds (it adopts only what its lineage allows).
        // And which logins ended here: a tab back from the bfcache or a frozen one must not bring them back.
        if (current()) post({ type: 'session', session: current()! });
        for (const [login, at] of endedLogins) post({ type: 'ended', login, at, reason: 'other-tab' });
        if (mine) post({ type: 'refreshing', from: mine });
        return;
      case 'ended': {
        ended(message.login, typeof message.at == 'number' ? message.at : undefined);
        // Its login ended; or a later login, which has ended since, replaced it (this client heard neither: it was unmounted).
        const held = current()?.lineage;
        if (held && (held.login === message.login || olderLogin(held))) {
          store.dispatch({ type: 'ended', reason: 'other-tab' });
          void persistence.update((stored) => (stored?.lineage.login === held.login ? null : undefined));
          settleRemote();
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * Waits for another tab's refresh of `from` to settle, if one is under way, for as long
   * as that tab is heard from: one that went quiet (closed, frozen) is given up after {@link STALE_MS}.
   */
  async function awaitRemote(from: string): Promise<void> {
    // Quiet time counted in timer turns, not wall-clock differences: a device clock set back
    // an hour must not make a closed tab look alive for an hour.
    let quiet = 0;
    // The claims heard before this quiet stretch began: the silent tab's among them.
    let before = heard;
    while (remote?.from === from) {
      if (quiet >= STALE_MS) {
        // Given up: the claims of tabs silent all along claim nothing any more. Those heard
        // since (a tab that gave up a moment sooner and claimed anew) still count.
        for (const [sender, claim] of claims.get(from) ?? []) if (claim.heard <= before) claims.get(from)!.delete(sender);
        return settleRemote(from);
      }
      const beats = remote.beats;
      await Promise.race([remote.settled, sleep(clock, QUIET_STEP_MS)]);
      quiet = remote?.beats === beats ? quiet + QUIET_STEP_MS : 0;
      if (quiet === 0) before = heard;
    }
  }

  return {
    open: link.mount,
    close() {
      link.unmount();
      settleRemote();
    },
    /** Keeps the channel open for a refresh, mounted or not; the returned function lets go. */
    join: link.join,
    connected: link.connected,
    /** Settles once the other tabs have had {@link CLAIM_WINDOW_MS} to answer this tab's hello. */
    introduced: link.introduced,
    loginTime: () => Math.max(clock.now(), Math.max(newest?.at ?? -Infinity, current()?.lineage.at ?? -Infinity) + 1),
    /** Tells the other tabs this session is current, and stores it unless storage holds a newer one. */
    commit(session: SessionRecord<TUser>): Promise<void> {
      know(session.lineage);
      post({ type: 'session', session });
      return persistence.update(newerThan(session));
    },
    /**
     * Tells the other tabs the session of this lineage's login is over, and removes it from
     * storage, with anything older. Never a later login another tab stored that this one
     * has not heard of yet; with no lineage (nothing held here) nothing is removed.
     */
    end(lineage: Lineage | undefined, reason: EndReason): Promise<void> {
      if (!lineage) return Promise.resolve();
      ended(lineage.login, lineage.at);
      post({ type: 'ended', login: lineage.login, at: lineage.at, reason });
      return persistence.update((stored) => (stored && stored.lineage.login !== lineage.login && compareLineage(stored.lineage, lineage) > 0 ? undefined : null));
    },
    /**
     * Mounted (again): what other tabs did while this client was not listening, as far as the
     * storage they share tells. A newer session stored there is taken; the session this client
     * last saw stored, gone from it, was ended by another tab (a logout it did not hear): `end`.
     */
    async resync(end: () => Promise<void>): Promise<void> {
      const held = current();
      // A server-rendered session takes another from storage only as the restore allows: the same user's.
      if (!held || !options.crossTab || held.lineage.login === SERVER_LINEAGE.login) return;
      const { stored, lastSeen } = await persistence.peek();
      if (!isLive() || current() !== held) return;
      if (stored && isAdoptable(stored, held)) {
        scheduler.reset();
        store.dispatch({ type: 'session', session: stored });
      } else if (!stored && lastSeen === held.lineage.login) await end();
    },
    /** A stored session this tab may adopt instead of refreshing: one another tab rotated, or a newer login. */
    isAdoptable,
    /**
     * Says, as a heartbeat until the returned function is called, that this tab is
     * refreshing `from`: waiting tabs know it is alive, and late claims know they lost.
     */
    refreshing(from: string): () => void {
      let timer: unknown = null;
      mine = from;
      const beat = () => {
        post({ type: 'refreshing', from });
        timer = clock.setTimeout(beat, HEARTBEAT_MS);
      };
      beat();
      return () => {
        clock.clearTimeout(timer);
        if (mine === from) mine = null;
      };
    },
    settled: (from: string) => post({ type: 'refresh-settled', from }),
    /**
     * Without a lock shared by the tabs: claims the refresh of `from`. The earliest live
     * claim wins (then the lowest ticket), so a claim made after another tab's is lost even
     * when that tab's window has closed. True when this tab won; a tab that lost waits for
     * the winner's session like for a locked refresh. True at once when no other tab has been heard.
     */
    async claim(from: string): Promise<boolean> {
      if (!link.hasPeers()) return true;
      const mine = { at: clock.now(), ticket: options.random() };
      for (let tries = 0, posted = mine.at; ; tries += 1) {
        post({ type: 'claim', from, ...mine });
        await sleep(clock, CLAIM_WINDOW_MS);
        // Frozen (or asleep) through the window: tabs that opened meanwhile never heard this
        // claim and may have gone ahead. Hear what came meanwhile, and say the same claim
        // again (a new, later one could lose to a claim that lost to this one: nobody would refresh).
        if (clock.now() - posted <= 1.5 * CLAIM_WINDOW_MS || tries === 2) break;
        await yieldToMessages();
        posted = clock.now();
      }
      const rivals = [...(claims.get(from)?.values() ?? [])];
      const lost = rivals.some((claim) => claim.at < mine.at || (claim.at === mine.at && claim.ticket < mine.ticket));
      if (lost) expectRemote(from);
      return !lost;
    },
    awaitRemote,
    /**
     * Another tab rotated `from` and its session has not arrived: asks every tab for theirs,
     * and waits as for a refresh in flight. True when a newer session came.
     */
    async recover(from: string, held: () => unknown): Promise<boolean> {
      const before = held();
      expectRemote(from);
      post({ type: 'hello' });
      await awaitRemote(from);
      return held() !== before;
    },
  };
}

export type TabSync<TUser> = ReturnType<typeof createTabSync<TUser>>;
