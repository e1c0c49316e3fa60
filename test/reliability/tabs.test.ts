// @vitest-environment node
import fc from 'fast-check';
import type vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSnapshot } from '../../src/core';
import { startMswServer } from '../harness';
import { claimsOf, configName, loadCoreBundle, TabsWorld, type Invariant, type Slot, type Tab, type TabsConfig, type Violation } from './tabsWorld';

startMswServer();

/**
 * A model-based test of several tabs: 2 to 4 clients on one BroadcastChannel, sharing one
 * storage (localStorage) or each with its own (sessionStorage), each page load a realm of its
 * own, with Web Locks shared by the tabs (webLocks.ts, after the spec) or without (the claim
 * protocol), under random logins, logouts, refreshes in flight, reloads,
 * closed, reopened, frozen and unmounted tabs, late messages, time, sleep, clock jumps,
 * network loss and revocation. Each property states one behaviour; every run checks all of
 * them after every step (for the table) and fails only on its own. The shortest
 * counterexamples found are replayed as tests of their own, after the random runs.
 *
 * TABS_RUNS=<n> runs per property; the seed is fixed (DEFAULT_SEED) unless TABS_SEED=random;
 * TABS_SEED=<seed> TABS_PATH=<path> replays a failure, and
 * TABS_SHRINK=1 shrinks it; TABS_TRACE=1 prints what the tabs did up to the failure
 * (TABS_TRACE=all: every run). TABS_ONLY=<invariant>, TABS_CONFIG=<part of a row's name> and
 * TABS_SKIP=<Command,...> narrow a search.
 */

// The seed `npm test` runs with; any other is TABS_SEED=<seed>, or TABS_SEED=random.
const DEFAULT_SEED = 1;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RUNS = Number(process.env.TABS_RUNS ?? 100);
const MAX_COMMANDS = 30;
// Diagnostics only: leave out some commands (comma-separated class names) to look past a known failure.
const SKIP = new Set((process.env.TABS_SKIP ?? '').split(',').filter(Boolean));

const CONFIGS: TabsConfig[] = [2, 3, 4].flatMap((tabs) =>
  (['shared', 'per-tab'] as const).flatMap((storage) => [true, false].map((locks) => ({ tabs, storage, locks }))),
);

interface Row { runs: number; steps: number; violations: number; uncaught: number }
const table = new Map<string, Row>(CONFIGS.map((config) => [configName(config), { runs: 0, steps: 0, violations: 0, uncaught: 0 }]));
const byInvariant = new Map<Invariant, number>();
const byCommand = new Map<string, { cases: number; violations: number }>();

// -- the invariants -------------------------------------------------------------------------

type Shown = AuthSnapshot<{ username?: string }>;

function isValidSnapshot(snapshot: Shown): boolean {
  switch (snapshot.status) {
    case 'loading':
      return Object.keys(snapshot).length === 1;
    case 'authenticated':
      return typeof snapshot.accessToken === 'string' && typeof snapshot.isRefreshing === 'boolean' && snapshot.user !== undefined;
    case 'unauthenticated':
      return [null, 'expired', 'revoked', 'logged-out', 'other-tab', 'refresh-failed'].includes(snapshot.reason);
    default:
      return false;
  }
}

const describeTab = (slot: Slot) => {
  const snapshot = slot.tab?.snapshot();
  if (!snapshot) return `tab ${slot.index}: closed`;
  const shown = snapshot.status === 'authenticated' ? `${snapshot.user.username} (family ${claimsOf(snapshot.accessToken)?.fam.slice(0, 6)})` : snapshot.status === 'unauthenticated' ? `signed out (${snapshot.reason})` : 'loading';
  const flags = [slot.frozen && 'frozen', slot.tab && !slot.tab.mounted && 'unmounted'].filter(Boolean).join(', ');
  return `tab ${slot.index}: ${shown}${flags ? ` [${flags}]` : ''}`;
};

/** Counts already reported, so each violation is counted once. */
interface Reported { spent: number; duplicates: number; uncaught: number }

function check(world: TabsWorld, reported: Reported, unusable: string[] = []): Violation[] {
  const violations: Violation[] = [];
  const add = (invariant: Invariant, detail: string) => violations.push({ invariant, detail });
  const tabs = () => world.slots.map(describeTab).join('; ');

  // sane: valid snapshots, every call settles, every timer on the clock, nothing thrown.
  for (const slot of world.slots) {
    const snapshot = slot.tab?.snapshot();
    if (snapshot && !isValidSnapshot(snapshot)) add('sane', `tab ${slot.index} has an invalid snapshot ${JSON.stringify(snapshot)}`);
  }
  if (world.hung > 0) add('sane', `${world.hung} call(s) never settled`);
  if (world.realTimers > 0) add('sane', `the package set ${world.realTimers} timer(s) outside its clock`);
  if (world.uncaught.length > reported.uncaught) {
    add('sane', `uncaught: ${world.uncaught.slice(reported.uncaught).map(String).join('; ')}`);
    reported.uncaught = world.uncaught.length;
  }

  // agree: once messages have arrived, every live tab shows the same user (or none). Except,
  // as documented, a tab that never held a session and has heard none since it opened: with
  // sessionStorage a new tab starts signed out until another tab's next login or refresh.
  const live = world.liveTabs();
  if (!world.deliveriesPending()) {
    const waiting = (tab: Tab, snapshot: Shown) => snapshot.status === 'unauthenticated' && !tab.everSignedIn && !tab.heardSession && world.config.storage === 'per-tab';
    const shown = live.map((tab) => [tab, tab.snapshot()] as const).filter(([tab, snapshot]) => snapshot.status !== 'loading' && !waiting(tab, snapshot)).map(([, snapshot]) => snapshot);
    const users = new Set(shown.map((snapshot) => (snapshot.status === 'authenticated' ? snapshot.user.username : '(signed out)')));
    if (users.size > 1) add('agree', `live tabs disagree: ${tabs()}`);
  }

  // logout-final: no live tab, and no storage a live tab reads, holds a session a logout
  // ended, once the logout's message has reached them, and wherever a tab that knows of it
  // could have told them (not a tab reopened from its own sessionStorage while every tab
  // that knew was closed or unmounted: nobody could).
  const ended = (tab: Tab, family: string | null | undefined): family is string => !!family && world.loggedOut.has(family) && world.couldKnow(tab, family);
  for (const tab of world.deliveriesPending() ? [] : live) {
    const snapshot = tab.snapshot();
    const family = snapshot.status === 'authenticated' ? claimsOf(snapshot.accessToken)?.fam : undefined;
    if (ended(tab, family)) add('logout-final', `tab ${tab.slot.index} shows a session a logout ended: ${tabs()}`);
  }
  const storages = new Map((world.deliveriesPending() ? [] : live).map((tab) => [world.storageOf(tab.slot), tab] as const));
  for (const [storage, tab] of storages) {
    if (ended(tab, world.storedFamily(storage))) add('logout-final', `storage still holds a session a logout ended: ${tabs()}`);
  }

  // spent-token: no tab sends a refresh token after the server rotated it, unless the pair
  // that replaced it never reached any tab (its page closed mid-refresh). Judged at the send:
  // the server also counts a request overtaken on the wire by a later one with the same
  // token, which is one-refresh's business when both tabs are open, and nobody's when the
  // slower request left a page that has since closed.
  const spent = world.refreshSends.filter((send) => send.spent && !send.excused);
  if (spent.length > reported.spent) {
    const sends = spent.slice(reported.spent).map((send) => `tab ${send.slot} at ${send.step}`);
    add('spent-token', `a rotated refresh token was sent (${sends.join(', ')}; the server counted ${world.control.spentRefreshTokenRequests()} in all): ${tabs()}`);
    reported.spent = spent.length;
  }

  // one-refresh: never two refreshes of one token on the wire at once, whatever tabs sent them.
  if (world.duplicates.length > reported.duplicates) {
    add('one-refresh', `${world.duplicates.slice(reported.duplicates).join('; ')}: ${tabs()}`);
    reported.duplicates = world.duplicates.length;
  }

  // kept-session: a tab signs out only when a logout or the server ended its session (or a
  // later login replaced it, which agree and logout-final judge).
  for (const loss of world.losses.splice(0)) {
    if (!world.loggedOut.has(loss.family) && !world.superseded.has(loss.family) && world.serverWouldRefresh(loss.family)) {
      add('kept-session', `tab ${loss.slot} signed out (${loss.reason}) at ${loss.step} while the server would still refresh it: ${tabs()}`);
    }
  }
  // usable: at rest, every live tab signed in to a session the server would refresh can make
  // a request: no refresh is stuck, none waits for a tab that is gone.
  for (const failure of unusable) add('usable', `${failure}: ${tabs()}`);
  return violations;
}

// -- the commands -----------------------------------------------------------------------------

interface SlotModel { open: boolean; frozen: boolean; mounted: boolean }
interface Model { config: TabsConfig; slots: SlotModel[] }

interface RunContext { world: TabsWorld; property: Invariant; reported: Reported; row: Row }

abstract class Step implements fc.AsyncCommand<Model, RunContext> {
  check(model: Model): boolean {
    return !SKIP.has(this.constructor.name) && this.applies(model);
  }
  protected applies(_model: Model): boolean {
    return true;
  }
  protected abstract act(model: Model, world: TabsWorld): Promise<void>;
  async run(model: Model, context: RunContext): Promise<void> {
    const { world, reported, row } = context;
    world.step = this.toString();
    world.log(`=== ${this.toString()}`);
    const entry = byCommand.get(this.constructor.name) ?? { cases: 0, violations: 0 };
    byCommand.set(this.constructor.name, entry);
    entry.cases += 1;
    row.steps += 1;
    const uncaughtBefore = world.uncaught.length;
    await this.act(model, world);
    await world.settle();
    const violations = check(world, reported);
    record(row, violations, world.uncaught.length - uncaughtBefore);
    entry.violations += violations.length;
    const own = violations.filter((violation) => violation.invariant === context.property);
    if (own.length > 0 && process.env.TABS_TRACE) console.log(world.trace.join('\n'));
    expect(own.map((violation) => violation.detail), `after ${this.toString()}`).toEqual([]);
  }
  abstract toString(): string;
}

function record(row: Row, violations: Violation[], uncaught: number) {
  row.violations += violations.length;
  row.uncaught += uncaught;
  for (const { invariant } of violations) byInvariant.set(invariant, (byInvariant.get(invariant) ?? 0) + 1);
}

const slotOf = (world: TabsWorld, index: number) => world.slots[index]!;
const exists = (model: Model, index: number) => index < model.config.tabs;
const usable = (model: Model, index: number) => exists(model, index) && model.slots[index]!.open && !model.slots[index]!.frozen;
// What a user can click: an open page that is neither frozen nor without its provider.
const clickable = (model: Model, index: number) => usable(model, index) && model.slots[index]!.mounted;

class Login extends Step {
  constructor(readonly tab: number, readonly username: string, readonly good: boolean) {
    super();
  }
  protected override applies(model: Model) {
    return clickable(model, this.tab);
  }
  async act(_model: Model, world: TabsWorld) {
    const client = slotOf(world, this.tab).tab!.client;
    await world.attempt(() => client.login({ username: this.username, password: this.good ? `${this.username}pass` : 'wrong' }));
  }
  toString = () => `Login(tab ${this.tab}, ${this.username}, ${this.good ? 'good' : 'bad'})`;
}

async function logout(world: TabsWorld, slot: Slot) {
  const family = world.heldFamily(slot);
  if (family) world.loggedOutIn(slot.tab!, family);
  await world.attempt(() => slot.tab!.client.logout());
}

class Logout extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return clickable(model, this.tab);
  }
  act = (_model: Model, world: TabsWorld) => logout(world, slotOf(world, this.tab));
  toString = () => `Logout(tab ${this.tab})`;
}

/** A refresh starts in one tab (a 401, a due deadline) and is left running. */
class StartRefresh extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return usable(model, this.tab);
  }
  async act(_model: Model, world: TabsWorld) {
    const client = slotOf(world, this.tab).tab!.client;
    world.background(() => client.refresh());
  }
  toString = () => `StartRefresh(tab ${this.tab})`;
}

/** The server is slow to refresh; one tab's refresh is on the wire when the user logs out in another. */
class LogoutWhileRefreshing extends Step {
  constructor(readonly refresher: number, readonly tab: number, readonly latencyMs: number) {
    super();
  }
  protected override applies(model: Model) {
    return this.refresher !== this.tab && usable(model, this.refresher) && clickable(model, this.tab);
  }
  async act(_model: Model, world: TabsWorld) {
    const refresher = slotOf(world, this.refresher);
    world.control.setLatency('refresh', this.latencyMs);
    world.background(() => refresher.tab!.client.refresh());
    await world.untilRefreshSent(refresher);
    world.control.setLatency('refresh', world.latencyMs);
    await logout(world, slotOf(world, this.tab));
  }
  toString = () => `LogoutWhileRefreshing(refreshing tab ${this.refresher}, logout in tab ${this.tab}, ${this.latencyMs} ms)`;
}

/** The tab that holds the lock is closed while its refresh is on the wire. */
class CloseWhileRefreshing extends Step {
  constructor(readonly tab: number, readonly latencyMs: number) {
    super();
  }
  protected override applies(model: Model) {
    return usable(model, this.tab);
  }
  async act(model: Model, world: TabsWorld) {
    const slot = slotOf(world, this.tab);
    world.control.setLatency('refresh', this.latencyMs);
    world.background(() => slot.tab!.client.refresh());
    await world.untilRefreshSent(slot);
    world.control.setLatency('refresh', world.latencyMs);
    world.close(slot);
    model.slots[this.tab]!.open = false;
  }
  toString = () => `CloseWhileRefreshing(tab ${this.tab}, ${this.latencyMs} ms)`;
}

/** The app unmounts its provider (a route change) while the tab's refresh is on the wire. */
class UnmountWhileRefreshing extends Step {
  constructor(readonly tab: number, readonly latencyMs: number) {
    super();
  }
  protected override applies(model: Model) {
    return clickable(model, this.tab);
  }
  async act(model: Model, world: TabsWorld) {
    const slot = slotOf(world, this.tab);
    world.control.setLatency('refresh', this.latencyMs);
    world.background(() => slot.tab!.client.refresh());
    await world.untilRefreshSent(slot);
    world.control.setLatency('refresh', world.latencyMs);
    world.unmountTab(slot.tab!);
    model.slots[this.tab]!.mounted = false;
  }
  toString = () => `UnmountWhileRefreshing(tab ${this.tab}, ${this.latencyMs} ms)`;
}

class Reload extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return usable(model, this.tab);
  }
  async act(model: Model, world: TabsWorld) {
    const slot = slotOf(world, this.tab);
    world.close(slot);
    world.open(slot);
    model.slots[this.tab]!.mounted = true;
  }
  toString = () => `Reload(tab ${this.tab})`;
}

class Close extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return exists(model, this.tab) && model.slots[this.tab]!.open;
  }
  async act(model: Model, world: TabsWorld) {
    world.close(slotOf(world, this.tab));
    model.slots[this.tab]!.open = false;
    model.slots[this.tab]!.frozen = false;
  }
  toString = () => `Close(tab ${this.tab})`;
}

/** A page opens in a closed slot: a new tab (fresh sessionStorage), or the same tab navigated back to (its own). */
class Open extends Step {
  constructor(readonly tab: number, readonly fresh: boolean) {
    super();
  }
  protected override applies(model: Model) {
    return exists(model, this.tab) && !model.slots[this.tab]!.open;
  }
  async act(model: Model, world: TabsWorld) {
    world.open(slotOf(world, this.tab), this.fresh);
    Object.assign(model.slots[this.tab]!, { open: true, frozen: false, mounted: true });
  }
  toString = () => `Open(tab ${this.tab}, ${this.fresh ? 'new tab' : 'navigated back'})`;
}

/**
 * The browser freezes a background tab: its timers and messages wait and then run in order.
 * Chrome does not freeze a page that holds a Web Lock, so with the shared lock a tab that is
 * refreshing is left running.
 */
class Freeze extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return usable(model, this.tab);
  }
  async act(model: Model, world: TabsWorld) {
    const slot = slotOf(world, this.tab);
    const snapshot = slot.tab!.snapshot();
    if (model.config.locks && snapshot.status === 'authenticated' && snapshot.isRefreshing) return;
    world.freeze(slot);
    model.slots[this.tab]!.frozen = true;
  }
  toString = () => `Freeze(tab ${this.tab})`;
}

class Thaw extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return exists(model, this.tab) && model.slots[this.tab]!.frozen;
  }
  async act(model: Model, world: TabsWorld) {
    await world.thaw(slotOf(world, this.tab));
    model.slots[this.tab]!.frozen = false;
  }
  toString = () => `Thaw(tab ${this.tab})`;
}

/** The app unmounts its provider (the client stops its timer and channel, keeping its state), and later mounts it again. */
class Unmount extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return clickable(model, this.tab);
  }
  async act(model: Model, world: TabsWorld) {
    world.unmountTab(slotOf(world, this.tab).tab!);
    model.slots[this.tab]!.mounted = false;
  }
  toString = () => `Unmount(tab ${this.tab})`;
}

class Remount extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return usable(model, this.tab) && !model.slots[this.tab]!.mounted;
  }
  async act(model: Model, world: TabsWorld) {
    world.mount(slotOf(world, this.tab).tab!);
    model.slots[this.tab]!.mounted = true;
  }
  toString = () => `Remount(tab ${this.tab})`;
}

/**
 * A busy tab hears the others late (within the few ms the claim window allows for). Web
 * Locks are not ordered with the channel: with them, a tab can be granted the lock before it
 * hears what the last holder posted.
 */
class Lag extends Step {
  constructor(readonly tab: number, readonly ms: number) {
    super();
  }
  protected override applies(model: Model) {
    return exists(model, this.tab);
  }
  async act(_model: Model, world: TabsWorld) {
    slotOf(world, this.tab).lag = this.ms;
  }
  toString = () => `Lag(tab ${this.tab}, ${this.ms} ms)`;
}

class Advance extends Step {
  constructor(readonly ms: number) {
    super();
  }
  act = (_model: Model, world: TabsWorld) => world.clock.advance(this.ms);
  toString = () => `Advance(${this.ms})`;
}

/** A few ms: through a claim window, between a message and its answer. */
class Tick extends Step {
  constructor(readonly ms: number) {
    super();
  }
  act = (_model: Model, world: TabsWorld) => world.clock.advance(this.ms);
  toString = () => `Tick(${this.ms})`;
}

/** The laptop sleeps: no timer fires; on waking every tab regains focus. */
class Sleep extends Step {
  constructor(readonly ms: number) {
    super();
  }
  async act(_model: Model, world: TabsWorld) {
    world.clock.jump(this.ms);
    for (const slot of world.slots) world.focus(slot);
  }
  toString = () => `Sleep(${this.ms})`;
}

class ClockJump extends Step {
  constructor(readonly ms: number) {
    super();
  }
  async act(_model: Model, world: TabsWorld) {
    world.offset += this.ms;
  }
  toString = () => `ClockJump(${this.ms})`;
}

class Network extends Step {
  constructor(readonly up: boolean) {
    super();
  }
  async act(_model: Model, world: TabsWorld) {
    world.setNetwork(this.up);
  }
  toString = () => `Network(${this.up ? 'up' : 'down'})`;
}

class Focus extends Step {
  constructor(readonly tab: number) {
    super();
  }
  protected override applies(model: Model) {
    return usable(model, this.tab);
  }
  async act(_model: Model, world: TabsWorld) {
    world.focus(slotOf(world, this.tab));
  }
  toString = () => `Focus(tab ${this.tab})`;
}

class Latency extends Step {
  constructor(readonly ms: number) {
    super();
  }
  async act(_model: Model, world: TabsWorld) {
    world.latencyMs = this.ms;
    world.control.setLatency('all', this.ms);
  }
  toString = () => `Latency(${this.ms})`;
}

class Revoke extends Step {
  async act(_model: Model, world: TabsWorld) {
    world.revokeAll();
  }
  toString = () => 'Revoke';
}

/** Components of one tab ask for a token at once. */
class GetTokens extends Step {
  constructor(readonly tab: number, readonly count: number) {
    super();
  }
  protected override applies(model: Model) {
    return usable(model, this.tab);
  }
  async act(_model: Model, world: TabsWorld) {
    const client = slotOf(world, this.tab).tab!.client;
    await world.attemptAll(Array.from({ length: this.count }, () => () => client.getAccessToken()));
  }
  toString = () => `GetTokens(tab ${this.tab}, ${this.count})`;
}

const tab = fc.integer({ min: 0, max: 3 });
const login = fc
  .tuple(tab, fc.constantFrom('emilys', 'michaelw'), fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }))
  .map(([t, user, good]) => new Login(t, user, good));
const commands = [
  // Twice the weight: most interleavings worth trying start from a session.
  login,
  tab.map((t) => new Logout(t)),
  tab.map((t) => new Close(t)),
  fc.tuple(tab, fc.boolean()).map(([t, fresh]) => new Open(t, fresh)),
  fc.integer({ min: SECOND, max: 2 * HOUR }).map((ms) => new Advance(ms)),
  login,
  tab.map((t) => new Logout(t)),
  tab.map((t) => new StartRefresh(t)),
  fc.tuple(tab, tab, fc.integer({ min: 100, max: 10 * SECOND })).map(([r, t, ms]) => new LogoutWhileRefreshing(r, t, ms)),
  fc.tuple(tab, fc.integer({ min: 100, max: 10 * SECOND })).map(([t, ms]) => new CloseWhileRefreshing(t, ms)),
  fc.tuple(tab, fc.integer({ min: 100, max: 10 * SECOND })).map(([t, ms]) => new UnmountWhileRefreshing(t, ms)),
  tab.map((t) => new Reload(t)),
  tab.map((t) => new Close(t)),
  fc.tuple(tab, fc.boolean()).map(([t, fresh]) => new Open(t, fresh)),
  tab.map((t) => new Freeze(t)),
  tab.map((t) => new Thaw(t)),
  tab.map((t) => new Unmount(t)),
  tab.map((t) => new Remount(t)),
  fc.tuple(tab, fc.integer({ min: 0, max: 20 })).map(([t, ms]) => new Lag(t, ms)),
  fc.integer({ min: SECOND, max: 2 * HOUR }).map((ms) => new Advance(ms)),
  fc.integer({ min: 1, max: 120 }).map((ms) => new Tick(ms)),
  fc.integer({ min: HOUR, max: 3 * DAY }).map((ms) => new Sleep(ms)),
  fc.integer({ min: -2 * DAY, max: 2 * DAY }).map((ms) => new ClockJump(ms)),
  fc.boolean().map((up) => new Network(up)),
  tab.map((t) => new Focus(t)),
  fc.integer({ min: 0, max: 10 * SECOND }).map((ms) => new Latency(ms)),
  fc.constant(new Revoke()),
  fc.tuple(tab, fc.integer({ min: 2, max: 6 })).map(([t, n]) => new GetTokens(t, n)),
];

// -- the properties -----------------------------------------------------------------------------

let script: vm.Script;
beforeAll(async () => {
  script = await loadCoreBundle();
});

const PROPERTIES: Array<[Invariant, string]> = [
  ['agree', 'all live tabs show the same user once their messages have arrived'],
  ['logout-final', 'no tab shows, and no storage keeps, a session a logout ended'],
  ['spent-token', 'no tab sends a refresh token the server has already rotated'],
  ['one-refresh', 'no two tabs have a refresh of the same token on the wire at once'],
  ['kept-session', 'no tab is signed out while the server would still refresh its session'],
  ['usable', 'at rest, every signed-in tab can make a request'],
  ['sane', 'every snapshot is valid, every call settles, nothing is thrown uncaught'],
];

const twoTabs = (storage: TabsConfig['storage'], locks: boolean): TabsConfig => ({ tabs: 2, storage, locks });

/** The shortest counterexamples the random runs found, each replayed as a test of its own. */
const COUNTEREXAMPLES: Array<[behaviour: string, Invariant, TabsConfig, Step[]]> = [
  [
    'a tab navigated away while the user logged out in another does not come back signed in from its sessionStorage',
    'logout-final',
    twoTabs('per-tab', false),
    [new Login(0, 'emilys', true), new Close(1), new Logout(0), new Open(1, false)],
  ],
  [
    'a tab navigated away while another tab refreshed does not come back and spend the rotated token from its sessionStorage',
    'spent-token',
    twoTabs('per-tab', true),
    [new Login(0, 'emilys', true), new Close(1), new Sleep(HOUR), new Open(1, false)],
  ],
  [
    'a tab frozen through a logout does not answer a hello it heard before the logout with the ended session',
    'logout-final',
    { tabs: 3, storage: 'shared', locks: false },
    [new Login(0, 'emilys', true), new Close(2), new Freeze(1), new Close(0), new Open(2, false), new Logout(2), new Open(0, false)],
  ],
  [
    'a client unmounted while the user logged out in another tab does not show the ended session when mounted again',
    'logout-final',
    twoTabs('shared', true),
    [new Login(0, 'emilys', true), new Unmount(1), new Logout(0), new Remount(1)],
  ],
  [
    'a refresh made by an unmounted client reaches the other tabs, so none of them spends the rotated token',
    'spent-token',
    twoTabs('per-tab', true),
    [new Login(0, 'emilys', true), new Unmount(1), new ClockJump(14 * MINUTE), new GetTokens(1, 1), new Sleep(HOUR)],
  ],
  [
    'without a shared lock, a tab opened while another tab refreshes waits for that refresh instead of sending the same token',
    'one-refresh',
    twoTabs('shared', false),
    [new Login(0, 'emilys', true), new Close(1), new Latency(3 * SECOND), new Advance(14 * MINUTE), new Open(1, false)],
  ],
  [
    'without a shared lock, tabs whose claim window spans a sleep of the laptop do not all win the claim',
    'one-refresh',
    twoTabs('shared', false),
    [new Login(0, 'emilys', true), new Latency(100), new Advance(14 * MINUTE), new Lag(1, 5), new Sleep(MINUTE), new Tick(300)],
  ],
  [
    'a logout in a tab that has not yet heard of a login in another does not erase that login from the storage the tabs share',
    'kept-session',
    twoTabs('shared', false),
    [new Lag(1, 1), new Login(0, 'emilys', true), new Logout(1), new Reload(0)],
  ],
  [
    'a tab reopened from its sessionStorage hears the tabs that rotated its session while it was away before it refreshes, even when their answers come late',
    'spent-token',
    { tabs: 3, storage: 'per-tab', locks: false },
    [new Lag(1, 1), new Login(0, 'emilys', true), new CloseWhileRefreshing(0, 151), new StartRefresh(2), new Close(1), new Advance(14 * MINUTE), new Open(1, false)],
  ],
  [
    'a refresh by an unmounted client is heard by the other tabs, which do not send the same token meanwhile',
    'one-refresh',
    twoTabs('per-tab', false),
    [new Latency(151), new Login(0, 'emilys', true), new Unmount(1), new StartRefresh(1), new ClockJump(14 * MINUTE)],
  ],
  [
    'a client unmounted while other tabs rotated the session does not spend the rotated token when it refreshes',
    'spent-token',
    twoTabs('per-tab', true),
    [new Login(0, 'emilys', true), new Unmount(1), new Sleep(HOUR), new GetTokens(1, 1)],
  ],
  [
    'a client mounted again after a logout it did not hear signs out, from the storage the tabs share, when the only tab that knows is frozen',
    'logout-final',
    { tabs: 3, storage: 'shared', locks: true },
    [new Login(0, 'emilys', true), new Unmount(0), new Logout(2), new Close(2), new Freeze(1), new Remount(0)],
  ],
  [
    'a refresh on the wire when its client unmounts is answered and kept, not thrown away and sent again',
    'one-refresh',
    twoTabs('per-tab', false),
    [new Login(0, 'emilys', true), new UnmountWhileRefreshing(0, 3 * SECOND), new StartRefresh(0)],
  ],
  [
    'a tab signed out after its own login and logout does not take up the older login another tab is still refreshing',
    'agree',
    twoTabs('shared', true),
    [new Advance(SECOND), new Login(0, 'emilys', true), new Lag(0, 1), new Login(1, 'emilys', true), new Logout(1), new ClockJump(14 * MINUTE)],
  ],
  [
    'a tab granted the lock after another rotated, hearing late, keeps waiting for the new session through stale messages instead of giving up and signing every tab out',
    'kept-session',
    { tabs: 4, storage: 'shared', locks: true },
    [new Login(0, 'emilys', true), new Advance(SECOND), new Lag(2, 1), new Close(0), new Open(0, false), new Sleep(HOUR), new Tick(1)],
  ],
  [
    'an unmounted client closed while its refresh waits for the Web Lock leaves no call unsettled',
    'sane',
    twoTabs('shared', true),
    [new Login(0, 'emilys', true), new Unmount(1), new Sleep(HOUR), new CloseWhileRefreshing(1, 351)],
  ],
  [
    'a login in a tab that reopened after a logout is newer than the ended login in every tab, even with the clock set back',
    'agree',
    { tabs: 4, storage: 'per-tab', locks: false },
    [new Login(0, 'emilys', true), new LogoutWhileRefreshing(1, 0, 100), new ClockJump(-300), new Reload(2), new Login(2, 'emilys', true)],
  ],
  [
    'a tab that knows a login ended tells a tab still holding it, reopened from its sessionStorage while the first was unmounted, once mounted again',
    'logout-final',
    twoTabs('per-tab', false),
    [new Login(1, 'emilys', true), new Close(0), new Logout(1), new Unmount(1), new Open(0, false), new Remount(1)],
  ],
  [
    'a client unmounted through a later login and its logout signs out when it next refreshes, instead of storing the replaced login for a reload to bring back',
    'agree',
    { tabs: 4, storage: 'shared', locks: true },
    [new Login(0, 'emilys', true), new Unmount(3), new Login(0, 'emilys', true), new Logout(0), new Sleep(HOUR), new GetTokens(3, 2), new Reload(0)],
  ],
  [
    'without Web Locks, a tab frozen inside its claim window claims anew when it thaws, instead of refreshing beside a tab that opened meanwhile',
    'one-refresh',
    { tabs: 4, storage: 'per-tab', locks: false },
    [new Login(0, 'emilys', true), new Advance(SECOND), new StartRefresh(0), new Reload(3), new Freeze(0), new LogoutWhileRefreshing(3, 1, 100)],
  ],
  [
    'an unmounted client that refreshes after another tab rotated hears the answers to its hello before it sends',
    'spent-token',
    twoTabs('per-tab', false),
    [new Lag(1, 1), new Login(1, 'emilys', true), new Unmount(1), new Advance(SECOND), new Sleep(HOUR), new Lag(0, 1), new GetTokens(1, 2)],
  ],
  [
    'a page closed while its refresh waits for the Web Lock leaves nothing waiting in the other tabs',
    'sane',
    twoTabs('shared', true),
    [new Login(0, 'emilys', true), new LogoutWhileRefreshing(0, 1, 100), new Login(0, 'emilys', true), new StartRefresh(1), new Reload(1), new Login(0, 'emilys', true)],
  ],
  [
    'a tab waiting for a refresh in a tab that closed goes on after a few seconds, even when the device clock went back',
    'sane',
    twoTabs('shared', false),
    [new Login(1, 'emilys', true), new CloseWhileRefreshing(1, 5 * SECOND), new ClockJump(-HOUR), new StartRefresh(0)],
  ],
];

const KNOWN_VIOLATIONS = new Set<string>([]);

async function runOnce(property: Invariant, config: TabsConfig, seed: number, steps: Iterable<fc.AsyncCommand<Model, RunContext>>) {
  const row = table.get(configName(config))!;
  row.runs += 1;
  const world = new TabsWorld(config, script, seed);
  const reported: Reported = { spent: 0, duplicates: 0, uncaught: 0 };
  const uncaught = (error: unknown) => void world.uncaught.push(error);
  process.on('unhandledRejection', uncaught);
  process.on('uncaughtException', uncaught);
  try {
    const model: Model = { config, slots: world.slots.map(() => ({ open: true, frozen: false, mounted: true })) };
    await fc.asyncModelRun(() => ({ model, real: { world, property, reported, row } }), steps);
    // At rest: every tab thawed, messages delivered, calls settled. Everything must hold now too.
    world.step = 'the end (all tabs thawed, network up, calls settled)';
    const before = world.uncaught.length;
    await world.quiesce();
    const unusable = await world.probeRequests();
    await world.quiesce();
    const violations = check(world, reported, unusable);
    record(row, violations, world.uncaught.length - before);
    const own = violations.filter((violation) => violation.invariant === property);
    if ((own.length > 0 && process.env.TABS_TRACE) || process.env.TABS_TRACE === 'all') console.log(world.trace.join('\n'));
    expect(own.map((violation) => violation.detail), 'at rest after the last step').toEqual([]);
  } finally {
    world.destroy();
    await world.settle();
    process.off('unhandledRejection', uncaught);
    process.off('uncaughtException', uncaught);
  }
}

describe('model-based property test of several tabs', () => {
  for (const [property, behaviour] of PROPERTIES) {
    it.skipIf(process.env.TABS_ONLY !== undefined && process.env.TABS_ONLY !== property)(`${behaviour} (${RUNS} runs)`, async () => {
      const configs = CONFIGS.filter((config) => configName(config).includes(process.env.TABS_CONFIG ?? ''));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...configs), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }), (config, seed, steps) =>
          runOnce(property, config, seed, steps),
        ),
        {
          numRuns: RUNS,
          // A fixed seed by default, so `npm test` is repeatable; TABS_SEED=random explores, and
          // scripts/tabs-seeds.ts runs many seeds.
          seed: process.env.TABS_SEED === 'random' ? undefined : Number(process.env.TABS_SEED ?? DEFAULT_SEED),
          path: process.env.TABS_PATH,
          endOnFailure: !process.env.TABS_SHRINK,
        },
      );
    }, 600_000);
  }
});

describe('counterexamples found by the model', () => {
  for (const [behaviour, property, config, steps] of COUNTEREXAMPLES) {
    // Known violations, not yet mended (see the many-tabs issue's closing note): kept as
    // failing counterexamples, so the day one is mended its test says so.
    const test = KNOWN_VIOLATIONS.has(behaviour) ? it.fails : it;
    test(`${behaviour} (${configName(config)}: ${steps.join(', ')})`, () => runOnce(property, config, 1, steps));
  }
});

afterAll(() => {
  const header = ['tabs, storage, locks', 'runs', 'steps', 'invariant violations', 'uncaught errors'];
  const rows = [...table.entries()].map(([name, r]) => [name, r.runs, r.steps, r.violations, r.uncaught].map(String));
  const total = [...table.values()].reduce((sum, r) => ({ runs: sum.runs + r.runs, steps: sum.steps + r.steps, violations: sum.violations + r.violations, uncaught: sum.uncaught + r.uncaught }));
  rows.push(['total', total.runs, total.steps, total.violations, total.uncaught].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const invariants = PROPERTIES.map(([name]) => `${name} ${byInvariant.get(name) ?? 0}`).join(', ');
  const perCommand = [...byCommand.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, c]) => `${name} ${c.violations}/${c.cases}`).join(', ');
  console.log(
    [
      `\nCross-tab reliability: ${RUNS} runs per property of up to ${MAX_COMMANDS} steps (TABS_RUNS to change)`,
      format(header),
      format(widths.map((w) => '-'.repeat(w))),
      ...rows.map(format),
      `violations by invariant: ${invariants}`,
      `violations after each command / times run: ${perCommand}`,
    ].join('\n'),
  );
});
