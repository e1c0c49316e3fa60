import vm from 'node:vm';
import { build } from 'esbuild';
import { jwtDecode } from 'jwt-decode';
import { isAuthError, type AuthClient, type AuthSnapshot, type Clock, type StorageAdapter, type WakeUpSources } from '../../src/core';
import type * as Core from '../../src/core';
import { createAuthHandlers, createTestClock, type TestClock } from '../../src/testing';
import { BASE_URL, server } from '../harness';
import { FakeLockManager } from './webLocks';

export const ACCESS_TTL_S = 900;
export const REFRESH_TTL_S = 7 * 24 * 3600;
const SECOND = 1_000;
// Longer than any latency, claim window and backoff the test injects: a call still pending then is stuck.
const MAX_CALL_MS = 5 * 60_000;

/** How the tabs of one run share things: one storage like localStorage or one per tab like sessionStorage; Web Locks or none. */
export interface TabsConfig {
  tabs: number;
  storage: 'shared' | 'per-tab';
  /** The tabs share Web Locks (a secure context); without, they claim refreshes over the channel. */
  locks: boolean;
}

export const configName = ({ tabs, storage, locks }: TabsConfig) => `${tabs} tabs, ${storage} storage, ${locks ? 'with' : 'without'} locks`;

/** A synchronous Map-backed storage, like localStorage or sessionStorage. */
export interface MapStorage extends StorageAdapter {
  raw: Map<string, string>;
}

function createMapStorage(): MapStorage {
  const raw = new Map<string, string>();
  return { raw, get: (key) => raw.get(key) ?? null, set: (key, value) => void raw.set(key, value), remove: (key) => void raw.delete(key) };
}

interface TokenClaims {
  fam: string;
  username: string;
  exp: number;
  iat: number;
}

/** The claims of a token the fake server signed (read, not verified: the test only needs its family). */
export function claimsOf(token: string | null | undefined): TokenClaims | null {
  if (!token) return null;
  try {
    return jwtDecode<TokenClaims>(token);
  } catch {
    return null;
  }
}

// -- One bundle of src/core, evaluated once per realm ------------------------------------

let bundle: Promise<vm.Script> | null = null;

/** src/core with its dependencies (query-core, zod, jwt-decode) as one script, so every realm gets its own module state. */
export function loadCoreBundle(): Promise<vm.Script> {
  bundle ??= build({
    entryPoints: [new URL('../../src/core/index.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    globalName: 'authloop',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    define: { 'process.env.NODE_ENV': '"test"' },
    write: false,
    logLevel: 'error',
  }).then((result) => new vm.Script(`${result.outputFiles[0]!.text}\n;authloop`, { filename: 'authloop-core.bundle.js' }));
  return bundle;
}

// The test clock's default start: the trace shows times from it.
const START = Date.UTC(2026, 0, 1);
/** A token in a trace: the end of its signature, never the token. */
const short = (token: string) => `…${token.slice(-6)}`;

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

// -- The world ----------------------------------------------------------------------------

/** A page slot: a tab that can be open or closed, frozen, its own sessionStorage. */
export class Slot {
  tab: Tab | null = null;
  frozen = false;
  /** Timers and messages that came due while frozen, in order. */
  deferred: Array<() => void> = [];
  /** Inbound tab messages are delivered this many ms late. */
  lag = 0;
  storage: MapStorage = createMapStorage();
  /** The family this slot last showed signed in: a reload is expected to keep it. */
  lastFamily: string | null = null;
  constructor(readonly index: number) {}
}

/** One client (one page load) in a slot. */
export class Tab {
  destroyed = false;
  unmount: (() => void) | null = null;
  readonly focus = new Set<() => void>();
  readonly online = new Set<() => void>();
  readonly channels = new Set<ChannelShim>();
  /** Inbound messages scheduled late by the slot's lag. */
  pendingDeliveries = 0;
  /** Another tab's session message has reached this one. */
  heardSession = false;
  /** This page load has shown a session. */
  everSignedIn = false;
  lastDeliveryAt = -Infinity;
  client!: AuthClient;
  constructor(readonly slot: Slot) {}
  get mounted() {
    return this.unmount !== null;
  }
  snapshot(): AuthSnapshot<{ username?: string }> {
    return this.client.getSnapshot() as AuthSnapshot<{ username?: string }>;
  }
}

/** The minimum of BroadcastChannel that tabChannel.ts uses. */
interface ChannelShim {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(data: unknown): void;
  close(): void;
}

interface RefreshSend {
  slot: number;
  token: string;
  step: string;
  /** What the server answered (known once it answered, whether the client listened or not). */
  status?: number;
  /** The server had rotated the token already when it was sent. */
  spent: boolean;
  /** ...and the pair that rotation issued never reached any tab (its page closed, a logout dropped it): nobody could know. */
  excused: boolean;
}

export type Invariant = 'agree' | 'logout-final' | 'spent-token' | 'one-refresh' | 'kept-session' | 'usable' | 'sane';

export interface Violation {
  invariant: Invariant;
  detail: string;
}

/**
 * Several tabs against one fake server on one test clock. Every tab is a client created by
 * a copy of src/core evaluated in a node:vm realm: one realm for all (they share the
 * in-realm refresh lock), or one per page load (no shared lock: the claim protocol runs).
 * The tabs talk over Node's real BroadcastChannel, through a thin per-tab wrapper that can
 * hold a frozen tab's messages or deliver them late, in order. Each tab's fetch goes through
 * a probe that records what was sent and what the server answered.
 */
export class TabsWorld {
  static worlds = 0;
  readonly key = `authloop.tabs.${++TabsWorld.worlds}`;
  readonly clock: TestClock = createTestClock();
  /** Device clock minus server clock: one per machine, shared by its tabs. */
  offset = 0;
  readonly handlers = createAuthHandlers({ baseUrl: BASE_URL, clock: this.clock, accessTokenTtl: ACCESS_TTL_S, refreshTokenTtl: REFRESH_TTL_S });
  readonly control = this.handlers.control;
  readonly shared = createMapStorage();
  readonly slots: Slot[];
  networkDown = false;
  /** The latency the last Latency step set: what a step that slows refreshes for a moment goes back to. */
  latencyMs = 0;
  uncaught: unknown[] = [];
  hung = 0;
  realTimers = 0;
  step = 'start';
  /** The origin's Web Locks, when the run has them. */
  readonly locks = new FakeLockManager<Tab>((tab, work) => this.run(tab.slot, work));
  /** The slot whose frozen backlog is being run. */
  private draining: Slot | null = null;
  private pending = new Set<Promise<void>>();
  private readonly script: vm.Script;
  private readonly random: () => number;

  // What the server did, as far as the probes saw it.
  readonly refreshSends: RefreshSend[] = [];
  /** Refresh tokens on the wire from pages still open: a closed page's request is nobody's to wait for. */
  private readonly inFlight = new Map<string, Set<Tab>>();
  /** What happened, step by step, for a failure's report (TABS_TRACE=1 prints it). */
  readonly trace: string[] = [];
  readonly duplicates: string[] = [];
  /** Access token -> the order the server issued it in. */
  private readonly issued = new Map<string, number>();
  /** Refresh token -> the access token of the pair its rotation issued. */
  private readonly successor = new Map<string, string>();
  /** Family -> the latest pair the server issued in it. */
  private readonly latest = new Map<string, { access: string; exp: number }>();
  readonly revoked = new Set<string>();
  /** Families an later login replaced. */
  readonly superseded = new Set<string>();
  private revokedBefore = -Infinity;
  /** Families a user ended with a logout. */
  readonly loggedOut = new Set<string>();
  /** By family a logout ended: the page loads that know of it (the one that logged out, those its message reached). */
  readonly knowers = new Map<string, Set<Tab>>();
  /** Login ids (lineages) to families, as the tabs' session messages tell. */
  private readonly loginFamily = new Map<string, string>();
  /** Every access token any tab has held. */
  readonly seen = new Set<string>();
  /** Sessions that ended in a tab: judged by the next check. */
  losses: Array<{ slot: number; family: string; reason: string; step: string }> = [];

  constructor(
    readonly config: TabsConfig,
    script: vm.Script,
    seed: number,
  ) {
    this.script = script;
    let state = seed >>> 0 || 1;
    // xorshift32: reproducible lineage ids, tab ids, claim tickets and jitter for a seed.
    this.random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    server.use(...this.handlers.handlers);
    this.slots = Array.from({ length: config.tabs }, (_, i) => new Slot(i));
    for (const slot of this.slots) this.open(slot);
  }

  // -- realms and clients ------------------------------------------------------------------

  /** The JavaScript realm of one page load: its own module state, BroadcastChannel and view of the lock manager. */
  private createRealm(tab: Tab): typeof Core {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const world = this;
    class BroadcastChannelShim implements ChannelShim {
      onmessage: ((event: MessageEvent) => void) | null = null;
      private readonly real: BroadcastChannel;
      private closed = false;
      constructor(name: string) {
        this.real = new BroadcastChannel(name);
        this.real.onmessage = (event) =>
          world.deliver(tab, () => {
            if (this.closed) return;
            const message = (event as MessageEvent<{ message?: { type?: string; login?: string } } | null>).data?.message;
            const type = message?.type;
            if (type === 'session') tab.heardSession = true;
            const ended = type === 'ended' && message?.login ? world.loginFamily.get(message.login) : undefined;
            if (ended) world.knowers.get(ended)?.add(tab);
            if (process.env.TABS_TRACE) world.log(`tab ${tab.slot.index} hears ${type}`);
            this.onmessage?.(event as MessageEvent);
          });
        tab.channels.add(this);
      }
      postMessage(data: unknown) {
        const sent = (data as { message?: { type?: string; session?: { lineage?: { login?: string }; accessToken?: string } } } | null)?.message;
        const family = sent?.type === 'session' ? claimsOf(sent.session?.accessToken)?.fam : undefined;
        if (family && sent?.session?.lineage?.login) world.loginFamily.set(sent.session.lineage.login, family);
        if (process.env.TABS_TRACE && !tab.mounted) world.log(`tab ${tab.slot.index}, unmounted, posts ${(data as { message?: { type?: string } } | null)?.message?.type}`);
        this.real.postMessage(data);
      }
      close() {
        this.closed = true;
        this.real.close();
        tab.channels.delete(this);
      }
    }
    // yieldToMessages' one macrotask: behind a thawing tab's backlog, as in a browser that runs
    // the oldest task first, so a tab waking from a freeze hears what was queued for it.
    class MessageChannelShim {
      readonly port1: { onmessage: ((event: MessageEvent) => void) | null; close(): void };
      readonly port2: { postMessage(data: unknown): void; close(): void };
      constructor() {
        const real = new MessageChannel();
        const port1 = { onmessage: null as ((event: MessageEvent) => void) | null, close: () => real.port1.close() };
        real.port1.onmessage = (event) => world.afterBacklog(() => port1.onmessage?.(event));
        this.port1 = port1;
        this.port2 = { postMessage: (data) => real.port2.postMessage(data), close: () => real.port2.close() };
      }
    }
    const forbidden = (callback: () => void, ms?: number) => {
      // Every timer of the package goes through its clock: one that does not is a defect.
      world.realTimers += 1;
      return setTimeout(callback, ms);
    };
    const context = vm.createContext({
      BroadcastChannel: BroadcastChannelShim,
      MessageChannel: MessageChannelShim,
      Request,
      Response,
      Headers,
      URL,
      URLSearchParams,
      AbortController,
      AbortSignal,
      DOMException,
      TextEncoder,
      TextDecoder,
      atob,
      btoa,
      structuredClone,
      queueMicrotask,
      console,
      setTimeout: forbidden,
      clearTimeout,
      ...(this.config.locks ? { navigator: { locks: this.locks.forTab(tab) } } : {}),
    });
    return this.script.runInContext(context) as typeof Core;
  }

  /** Opens a page in a closed slot: restores from its storage (shared, or its own). */
  open(slot: Slot, freshStorage = false) {
    if (freshStorage && this.config.storage === 'per-tab') {
      // A new tab: its own empty sessionStorage, and nothing it is expected to restore.
      slot.storage = createMapStorage();
      slot.lastFamily = null;
    }
    const tab = new Tab(slot);
    const core = this.createRealm(tab);
    const run = (task: () => void) => this.run(slot, task);
    const clock: Clock = {
      now: () => this.clock.now() + this.offset,
      setTimeout: (callback, ms) => {
        const handle = { cancelled: false, inner: null as unknown };
        handle.inner = this.clock.setTimeout(() => run(() => {
          if (handle.cancelled) return;
          if (process.env.TABS_TRACE) this.log(`tab ${slot.index} timer (${ms} ms)`);
          callback();
        }), ms);
        return handle;
      },
      clearTimeout: (handle) => {
        const timer = handle as { cancelled: boolean; inner: unknown } | undefined;
        if (!timer) return;
        timer.cancelled = true;
        this.clock.clearTimeout(timer.inner);
      },
    };
    const wakeUps: WakeUpSources = {
      onFocus: (listener) => (tab.focus.add(listener), () => void tab.focus.delete(listener)),
      onOnline: (listener) => (tab.online.add(listener), () => void tab.online.delete(listener)),
    };
    const client = (tab.client = core.createAuthClient({
      baseUrl: BASE_URL,
      clock,
      storage: this.config.storage === 'shared' ? this.shared : slot.storage,
      storageKey: this.key,
      crossTab: true,
      fetch: (input, init) => this.send(tab, new Request(input, init)),
      random: this.random,
      wakeUps,
      onError: () => undefined,
    }));
    slot.tab = tab;
    client.subscribe(() => this.observe(tab));
    // As <AuthProvider> does: read during render, mount in an effect.
    this.observe(tab);
    this.mount(tab);
    this.observe(tab);
  }

  mount(tab: Tab) {
    tab.unmount = tab.client.mount();
  }

  unmountTab(tab: Tab) {
    tab.unmount?.();
    tab.unmount = null;
  }

  /** The page goes away (closed, reloaded, navigated): its client is destroyed mid-whatever. */
  close(slot: Slot) {
    const tab = slot.tab;
    if (!tab) return;
    tab.destroyed = true;
    tab.client.destroy();
    this.locks.releaseAll(tab);
    slot.tab = null;
    slot.deferred = [];
    slot.frozen = false;
  }

  private lastSeen = new Map<Tab, AuthSnapshot<{ username?: string }>>();

  /** Every snapshot change of a tab: what it holds, and whether a session ended there. */
  private observe(tab: Tab) {
    const now = tab.snapshot();
    const before = this.lastSeen.get(tab);
    if (before === now) return;
    this.lastSeen.set(tab, now);
    const slot = tab.slot;
    const shown = now.status === 'authenticated' ? `${now.user.username} ${claimsOf(now.accessToken)?.fam.slice(0, 6)}${now.isRefreshing ? ' refreshing' : ''}` : now.status === 'unauthenticated' ? `signed out (${now.reason})` : 'loading';
    this.log(`tab ${slot.index} shows ${shown}`);
    if (now.status === 'authenticated') {
      tab.everSignedIn = true;
      this.seen.add(now.accessToken);
      slot.lastFamily = claimsOf(now.accessToken)?.fam ?? null;
    } else if (now.status === 'unauthenticated' && !tab.destroyed) {
      // A session that ended here; or one a reload did not bring back. Not a page closing
      // mid-restore (its client ends `loading` as it goes): the next load of the slot restores again.
      if (slot.lastFamily !== null) this.losses.push({ slot: slot.index, family: slot.lastFamily, reason: String(now.reason), step: this.step });
      slot.lastFamily = null;
    }
  }

  // -- the tab's event loop: frozen tabs run nothing, lagging tabs hear late ----------------

  run(slot: Slot, task: () => void) {
    if (slot.frozen || this.draining === slot) return void slot.deferred.push(task);
    try {
      task();
    } catch (error) {
      this.uncaught.push(error);
    }
  }

  private deliver(tab: Tab, task: () => void) {
    const now = this.clock.now();
    // In order: a message never overtakes one sent before it to the same tab.
    const at = Math.max(now + tab.slot.lag, tab.lastDeliveryAt);
    tab.lastDeliveryAt = at;
    if (at <= now && tab.pendingDeliveries === 0) return this.run(tab.slot, task);
    tab.pendingDeliveries += 1;
    this.clock.setTimeout(() => {
      tab.pendingDeliveries -= 1;
      this.run(tab.slot, task);
    }, at - now);
  }

  freeze(slot: Slot) {
    slot.frozen = true;
  }

  /**
   * The tab runs again: what came due while it was frozen runs in order, one task a
   * macrotask, and what it starts meanwhile queues behind (one FIFO, oldest first).
   */
  async thaw(slot: Slot) {
    slot.frozen = false;
    this.draining = slot;
    try {
      while (slot.deferred.length > 0) {
        const task = slot.deferred.shift()!;
        try {
          task();
        } catch (error) {
          this.uncaught.push(error);
        }
        await macrotask();
      }
    } finally {
      this.draining = null;
    }
  }

  /** A macrotask of some tab's realm: behind the backlog of the tab being thawed, if any. */
  afterBacklog(task: () => void) {
    if (this.draining) this.draining.deferred.push(task);
    else task();
  }

  focus(slot: Slot) {
    const tab = slot.tab;
    if (tab) this.run(slot, () => tab.focus.forEach((listener) => listener()));
  }

  setNetwork(up: boolean) {
    this.networkDown = !up;
    if (up) for (const slot of this.slots) if (slot.tab) this.focusOnline(slot.tab);
  }

  private focusOnline(tab: Tab) {
    this.run(tab.slot, () => tab.online.forEach((listener) => listener()));
  }

  revokeAll() {
    this.control.revokeAll();
    this.revokedBefore = this.clock.now();
  }

  // -- the network --------------------------------------------------------------------------

  private async send(tab: Tab, request: Request): Promise<Response> {
    if (this.networkDown) throw new TypeError('fetch failed');
    const body = request.method === 'GET' ? undefined : await request.clone().text();
    const endpoint = new URL(request.url).pathname.split('/').pop();
    let record: RefreshSend | null = null;
    if (endpoint === 'refresh') {
      const token = (JSON.parse(body ?? '{}') as { refreshToken?: string }).refreshToken;
      if (token) {
        // The server rotates on arrival and answers at once, so its answer tells what it had done by now.
        const rotated = this.successor.get(token);
        record = { slot: tab.slot.index, token, step: this.step, spent: rotated !== undefined, excused: rotated !== undefined && !this.couldKnowRotation(tab, rotated) };
        this.refreshSends.push(record);
        // A tab that closed, or froze, mid-refresh is given up on by design (README, "Many tabs").
        const carrying = [...(this.inFlight.get(token) ?? [])].filter((other) => !other.destroyed && !other.slot.frozen);
        if (carrying.length > 0) {
          this.duplicates.push(`tab ${tab.slot.index} sent a refresh token tab ${carrying.map((other) => other.slot.index).join(', ')} was still refreshing with, at ${this.step}`);
        }
        this.inFlight.set(token, new Set([...carrying, tab]));
        this.log(`tab ${tab.slot.index} sends refresh ${short(token)}`);
      }
    }
    // Sent without the client's signal: a request that left the page reaches the server even
    // if the page stops listening (closed, reloaded). The client's abort only stops it hearing.
    const upstream = fetch(new Request(request.url, { method: request.method, headers: request.headers, body }));
    const heard = upstream.then(
      async (response) => {
        await this.learn(tab, endpoint, record, response.clone());
        // A frozen page hears its answer when it runs again.
        return new Promise<Response>((resolve) => this.run(tab.slot, () => resolve(response)));
      },
      (error: unknown) => {
        if (record) this.inFlight.get(record.token)?.delete(tab);
        throw error;
      },
    );
    const signal = request.signal;
    const aborted = new Promise<never>((_, reject) => {
      const stop = () => reject(signal.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
    aborted.catch(() => undefined);
    heard.catch(() => undefined);
    return Promise.race([heard, aborted]);
  }

  /** What an answer tells about the server: rotations, reuse, the latest pair of each family. */
  private async learn(tab: Tab, endpoint: string | undefined, record: RefreshSend | null, response: Response) {
    const body = (await response.json().catch(() => null)) as { accessToken?: string; refreshToken?: string; code?: string } | null;
    this.log(`tab ${tab.slot.index} ${endpoint} answered ${response.status}${body?.code ? ` ${body.code}` : ''}${record ? ` for ${short(record.token)}` : ''}${body?.refreshToken ? ` -> ${short(body.refreshToken)}` : ''}${tab.destroyed ? ' (page gone)' : ''}`);
    if (record) {
      this.inFlight.get(record.token)?.delete(tab);
      record.status = response.status;
      if (body?.code === 'auth/refresh_token_reused') {
        const family = claimsOf(record.token)?.fam;
        if (family) this.revoked.add(family);
      }
    }
    if (response.status === 200 && body?.accessToken && (endpoint === 'login' || endpoint === 'refresh')) {
      if (record) this.successor.set(record.token, body.accessToken);
      this.issued.set(body.accessToken, this.issued.size);
      const claims = claimsOf(body.refreshToken);
      // A new login replaces every earlier one in every tab.
      if (endpoint === 'login' && claims) for (const family of this.latest.keys()) this.superseded.add(family);
      if (claims) this.latest.set(claims.fam, { access: body.accessToken, exp: claims.exp * 1000 });
    }
  }

  /** The server would still refresh this family for a tab holding its latest pair. */
  serverWouldRefresh(family: string): boolean {
    const latest = this.latest.get(family);
    if (!latest || this.revoked.has(family)) return false;
    const iat = (claimsOf(latest.access)?.iat ?? 0) * 1000;
    if (iat <= this.revokedBefore) return false;
    // A rotation whose pair no tab ever held (its page closed mid-refresh, a logout dropped it):
    // the tabs only have the spent token.
    if (!this.seen.has(latest.access)) return false;
    return this.clock.now() < latest.exp - SECOND;
  }

  log(line: string) {
    this.trace.push(`[${this.clock.now() - START}ms ${this.step}] ${line}`);
  }

  // -- calls and time -----------------------------------------------------------------------

  /** Settles whatever the last step started, without moving time. */
  settle(): Promise<void> {
    return this.clock.flush();
  }

  private watch(promise: Promise<unknown>): { settled: () => boolean; done: Promise<void> } {
    let settled = false;
    const done = promise
      .then(
        () => undefined,
        (error: unknown) => {
          if (!isAuthError(error)) this.uncaught.push(error);
        },
      )
      .finally(() => {
        settled = true;
      });
    return { settled: () => settled, done };
  }

  /** Runs a call that may fail with an AuthError, moving time a second at a time while it is pending. */
  attempt(call: () => Promise<unknown>): Promise<void> {
    return this.attemptAll([call]);
  }

  /**
   * Runs calls at once, with one driver of time for all of them: two loops advancing the
   * clock side by side let one fire a timer before a message the other's timer caused had
   * arrived (seed 705: a 150 ms window closed before an answer sent at 1 ms).
   */
  async attemptAll(calls: Array<() => Promise<unknown>>): Promise<void> {
    const watched = calls.map((call) => this.watch(Promise.resolve().then(call)));
    const pending = () => watched.some((entry) => !entry.settled());
    await this.settle();
    for (let waited = 0; pending() && waited < MAX_CALL_MS; waited += SECOND) await this.clock.advance(SECOND);
    this.hung += watched.filter((entry) => !entry.settled()).length;
    await Promise.all(watched.filter((entry) => entry.settled()).map((entry) => entry.done));
  }

  /**
   * Every live signed-in tab whose session the server would still refresh asks for the user,
   * as an app does: whatever its timer and clock believe, the call must succeed (through one
   * refresh on a 401 if need be). Returns what failed.
   */
  async probeRequests(): Promise<string[]> {
    const failures: string[] = [];
    for (const tab of this.liveTabs()) {
      const snapshot = tab.snapshot();
      const family = snapshot.status === 'authenticated' ? claimsOf(snapshot.accessToken)?.fam : undefined;
      if (!family || !this.serverWouldRefresh(family)) continue;
      let failure: unknown = null;
      const watched = this.watch(tab.client.fetchMe().catch((error: unknown) => void (failure = error)));
      await this.settle();
      for (let waited = 0; !watched.settled() && waited < MAX_CALL_MS; waited += SECOND) await this.clock.advance(SECOND);
      // A session the server ended meanwhile (a reuse another invariant reports) owes nothing.
      if (!this.serverWouldRefresh(family)) continue;
      if (!watched.settled()) failures.push(`tab ${tab.slot.index}: fetchMe never settled`);
      else if (failure) failures.push(`tab ${tab.slot.index}: fetchMe failed with ${isAuthError(failure) ? failure.code : String(failure)}`);
    }
    return failures;
  }

  /** Starts a call and leaves it running; `quiesce` waits for it. */
  background(call: () => Promise<unknown>) {
    const watched = this.watch(Promise.resolve().then(call));
    const done = watched.done.finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  refreshInFlight(slot?: Slot): boolean {
    return this.refreshSends.some((send) => send.status === undefined && (slot === undefined || send.slot === slot.index));
  }

  /** Advances in small steps until `slot` has a refresh on the wire (the claim window and the lock come first). */
  async untilRefreshSent(slot: Slot, maxMs = 500) {
    for (let waited = 0; !this.refreshInFlight(slot) && waited < maxMs; waited += 10) await this.clock.advance(10);
  }

  /** Lets the world come to rest: every tab thawed and hearing on time, the network up, the calls left running settled. */
  async quiesce() {
    for (const slot of this.slots) {
      slot.lag = 0;
      await this.thaw(slot);
    }
    this.setNetwork(true);
    await this.untilQuiet();
    // Long enough for every delayed delivery, retry and claim window; short beside a token's life.
    await this.clock.advance(2 * SECOND);
    await this.untilQuiet();
    if (this.pending.size > 0) this.hung += this.pending.size;
  }

  /** Moves time a second at a time while a call, a refresh or a request is still going. */
  private async untilQuiet() {
    const busy = () =>
      this.pending.size > 0 ||
      this.refreshInFlight() ||
      this.slots.some((slot) => {
        const snapshot = slot.tab?.snapshot();
        return snapshot?.status === 'loading' || (snapshot?.status === 'authenticated' && snapshot.isRefreshing);
      });
    await this.settle();
    for (let waited = 0; busy() && waited < MAX_CALL_MS; waited += SECOND) await this.clock.advance(SECOND);
  }

  /**
   * Whether `tab` could know that the refresh token it sends was rotated into the pair of
   * `successor`: that pair, or a later one of its family, is held by a live tab that would
   * answer it, or sits in the storage it reads. Not when it never reached any tab (its page
   * closed mid-refresh), nor when the only tabs holding it are closed, frozen or unmounted
   * and the sender's storage is its own (the README, "What no client can prevent").
   */
  couldKnowRotation(tab: Tab, successor: string): boolean {
    if (!this.seen.has(successor)) return false;
    const family = claimsOf(successor)?.fam;
    const after = this.issued.get(successor) ?? Infinity;
    const newer = (token: string | null | undefined) => !!token && claimsOf(token)?.fam === family && (this.issued.get(token) ?? -1) >= after;
    const held = (other: Tab) => {
      const snapshot = other.snapshot();
      return snapshot.status === 'authenticated' && newer(snapshot.accessToken);
    };
    const raw = this.storageOf(tab.slot).raw.get(this.key);
    const stored = raw ? (JSON.parse(raw) as { accessToken?: string }).accessToken : null;
    return newer(stored) || this.liveTabs().some((other) => other !== tab && held(other));
  }

  /** A user logged out of `family` in `tab`. */
  loggedOutIn(tab: Tab, family: string) {
    this.loggedOut.add(family);
    this.knowers.set(family, new Set([...(this.knowers.get(family) ?? []), tab]));
  }

  /**
   * Whether `tab` could know that a logout ended `family`: it heard of it, or a live tab that
   * knows could tell it (answering its hello, or the session it posts). A tab that reopened
   * while every tab that knew was gone or unmounted cannot (the README, "What no client can prevent").
   */
  couldKnow(tab: Tab, family: string): boolean {
    const knowers = this.knowers.get(family) ?? new Set<Tab>();
    return knowers.has(tab) || this.liveTabs().some((other) => other !== tab && knowers.has(other));
  }

  /** The storage a slot's page reads: the shared one, or its own. */
  storageOf(slot: Slot): MapStorage {
    return this.config.storage === 'shared' ? this.shared : slot.storage;
  }

  /** The family of the session stored in `storage`, if any. */
  storedFamily(storage: MapStorage): string | null {
    const raw = storage.raw.get(this.key);
    if (!raw) return null;
    try {
      return claimsOf((JSON.parse(raw) as { accessToken?: string }).accessToken)?.fam ?? null;
    } catch {
      return null;
    }
  }

  /** The family of the session a tab holds: shown, or (while it restores) the one it read. */
  heldFamily(slot: Slot): string | null {
    const snapshot = slot.tab?.snapshot();
    if (snapshot?.status === 'authenticated') return claimsOf(snapshot.accessToken)?.fam ?? null;
    if (snapshot?.status === 'loading') return this.storedFamily(this.storageOf(slot));
    return null;
  }

  liveTabs(): Tab[] {
    return this.slots.flatMap((slot) => (slot.tab && slot.tab.mounted && !slot.frozen ? [slot.tab] : []));
  }

  /** Messages still on their way to some live tab. */
  deliveriesPending(): boolean {
    return this.slots.some((slot) => slot.tab && slot.tab.pendingDeliveries > 0);
  }

  destroy() {
    for (const slot of this.slots) this.close(slot);
    server.resetHandlers();
  }
}
