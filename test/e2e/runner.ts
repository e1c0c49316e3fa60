/**
 * The many-tabs e2e runner: N real Chromium tabs of one origin share one authloop session
 * against the reference server (`startAuthServer`, 4-second access tokens, strict rotation
 * with reuse detection), and every promise of the cross-tab design is measured on the wire.
 *
 * One config = tabs x origin (with Web Locks: http://127.0.0.1:port, a secure context;
 * without: http://authloop.test:port, mapped to 127.0.0.1 by a host-resolver rule, not a
 * secure context, so no `navigator.locks`) x storage. Each config has its own server, so
 * its own origin (the port differs): configs can share one browser context and run side by
 * side without seeing each other's channel, locks or storage.
 *
 * Steps of a config, each a check: sign in from one tab; soak (refresh after refresh);
 * a hidden tab frozen across deadlines catches up when shown; a user switch; logout from
 * one tab; login from another; the tab whose refresh is in flight is closed; the rest go on.
 * Counted across the run: refresh requests per token deadline, spent refresh tokens and
 * expired access tokens the server received, and every status each tab went through.
 *
 * Waits are bounded polls of a condition; the only plain durations are the soak itself and
 * the freeze (a tab blocked for FREEZE_MS), which are what is being tested.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startAuthServer } from '../../src/testing/startAuthServer';
import type { StaticFile } from '../../src/testing/staticFiles';
import type { RequestLogEntry } from '../../src/testing/fakeAuthTypes';
import { EVENT_BINDING, type PageEnv, type PageEvent, type TabView } from './protocol';

/** Host name without Web Locks: not potentially trustworthy, so not a secure context. */
export const NO_LOCK_HOST = 'authloop.test';
/** Chromium flag that sends NO_LOCK_HOST to the loopback. */
export const HOST_RESOLVER_ARG = `--host-resolver-rules=MAP ${NO_LOCK_HOST} 127.0.0.1`;

/** Access token lifetime on the server, in seconds. The client refreshes at half of it. */
export const ACCESS_TOKEN_TTL_S = 4;
const TOKEN_MS = ACCESS_TOKEN_TTL_S * 1000;
const CYCLE_MS = TOKEN_MS / 2;
/** Refresh requests closer together than this are for the same deadline. */
const SAME_DEADLINE_GAP_MS = CYCLE_MS / 2;
/** The hidden tab is frozen this long: three deadlines, and its access token expires. */
const FREEZE_MS = 3 * CYCLE_MS + 500;
/** Server latency on refresh while the tab that sent one is closed. */
const CLOSE_LATENCY_MS = 1000;
/** After the lock holder is closed, the other tabs must hold a new token within this (one token lifetime). */
const CLOSE_BOUND_MS = TOKEN_MS;
/** How long a failed bound is watched on, to say how long the block lasted: past the 30 s request timeout. */
const CLOSE_OBSERVE_MS = 36_000;
/** Tabs that agree on a change (sign-in, sign-out, a new token) do so within this. */
const SPREAD_MS = 5000;

const USERS = {
  emilys: { username: 'emilys', password: 'emilyspass' },
  michaelw: { username: 'michaelw', password: 'michaelwpass' },
} as const;

export type StorageKind = 'memory' | 'localStorage';

export interface ConfigSpec {
  tabs: number;
  /** Web Locks origin (127.0.0.1) or not (authloop.test). */
  lock: boolean;
  storage: StorageKind;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ConfigResult {
  spec: ConfigSpec;
  label: string;
  origin: string;
  env: PageEnv | null;
  /** Token deadlines: refresh requests grouped by time, SAME_DEADLINE_GAP_MS apart at least. */
  cycles: number;
  refreshRequests: number;
  /** Refresh requests the test itself failed (the closed tab's). */
  injected: number;
  /** Refresh requests the tabs sent per deadline, the injected one left out. */
  perCycle: number;
  spentSent: number;
  expiredSent: number;
  meUnauthorized: number;
  tabsSignedOut: number;
  wallMs: number;
  checks: CheckResult[];
  notes: string[];
}

export interface SharedSetup {
  context: BrowserContext;
  files: Readonly<Record<string, StaticFile>>;
  sleepPort: number;
  soakMs: number;
  /** Every open test tab by page, so the event binding finds the tab an event came from. */
  registry: Map<Page, Tab>;
  log: (line: string) => void;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const message = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : String(error));

/** Bundles app.ts with esbuild and pairs it with index.html, for `startAuthServer`'s `static`. */
export async function buildPageFiles(): Promise<Record<string, StaticFile>> {
  const here = import.meta.dirname;
  const result = await build({
    entryPoints: [join(here, 'app.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]!.text;
  const html = await readFile(join(here, 'index.html'), 'utf8');
  return {
    '/': { body: html, contentType: 'text/html; charset=utf-8' },
    '/app.js': { body: script, contentType: 'text/javascript; charset=utf-8' },
  };
}

/**
 * A server that answers `GET /sleep?ms=N` after N ms (CORS open): a page's synchronous
 * request to it blocks the page's main thread without spinning a core.
 */
export async function startSleepServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const ms = Math.min(Number(new URL(req.url ?? '/', 'http://sleep').searchParams.get('ms')) || 0, 60_000);
    const timer = setTimeout(() => {
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store', 'Content-Type': 'text/plain' });
      res.end('ok');
    }, ms);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One browser tab of a config, as the runner knows it from the events the page pushes. */
export class Tab {
  view: TabView = { status: 'loading', user: null, fp: null, reason: null, isRefreshing: false };
  readonly events: PageEvent[] = [];
  sawStatus = false;
  frozen = false;
  closed = false;

  constructor(
    readonly index: number,
    readonly page: Page,
  ) {}

  onEvent(event: PageEvent): void {
    this.events.push(event);
    if (event.kind === 'status') {
      this.sawStatus = true;
      this.view = { status: event.status, user: event.user, fp: event.fp, reason: event.reason, isRefreshing: event.isRefreshing };
    } else if (event.kind === 'freeze') {
      this.frozen = event.frozen;
    }
  }
}

const describeTabs = (tabs: readonly Tab[]) =>
  tabs.map((tab) => `#${tab.index}:${tab.closed ? 'closed' : `${tab.view.status}${tab.view.user ? `/${tab.view.user}` : ''}${tab.view.fp ? `/${tab.view.fp}` : ''}${tab.view.reason ? `/${tab.view.reason}` : ''}`}`).join(' ');

/** The fingerprint every given tab holds, signed in as `user` (any user when omitted); else null. */
function commonFp(tabs: readonly Tab[], user?: string): string | null {
  const first = tabs[0]?.view;
  if (!first || first.status !== 'authenticated' || first.fp === null) return null;
  for (const { view } of tabs) {
    if (view.status !== 'authenticated' || view.fp !== first.fp || (user !== undefined && view.user !== user)) return null;
  }
  if (user !== undefined && first.user !== user) return null;
  return first.fp;
}

/** Polls `condition` every `intervalMs` until it holds; throws after `timeoutMs`. Returns the time it took. */
async function until(label: string, condition: () => boolean | Promise<boolean>, timeoutMs: number, describe?: () => string, intervalMs = 100): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - start;
    if (Date.now() - start >= timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}${describe ? ` [${describe()}]` : ''}`);
    await delay(intervalMs);
  }
}

interface ServerCounts {
  counts: Record<string, number>;
  spentRefreshTokenRequests: number;
  expiredAccessTokenRequests: number;
}

function adminClient(baseUrl: string) {
  return {
    async get<T>(path: string): Promise<T> {
      const response = await fetch(baseUrl + path);
      if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
      return (await response.json()) as T;
    },
    async post(path: string, body: unknown): Promise<void> {
      const response = await fetch(baseUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (response.status !== 204) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    },
  };
}

/** Refresh requests grouped by deadline: a gap of SAME_DEADLINE_GAP_MS or more starts a new one. */
function groupByDeadline(entries: readonly RequestLogEntry[]): RequestLogEntry[][] {
  const groups: RequestLogEntry[][] = [];
  let previous: number | null = null;
  for (const entry of [...entries].sort((a, b) => a.at - b.at)) {
    if (previous === null || entry.at - previous >= SAME_DEADLINE_GAP_MS) groups.push([]);
    groups[groups.length - 1]!.push(entry);
    previous = entry.at;
  }
  return groups;
}

export function labelOf(spec: ConfigSpec): string {
  return `${spec.tabs} tabs, ${spec.lock ? 'Web Locks' : 'no locks'}, ${spec.storage}`;
}

/** Runs one config from its first tab to its last check. Never throws: failures are checks. */
export async function runConfig(spec: ConfigSpec, shared: SharedSetup): Promise<ConfigResult> {
  const started = Date.now();
  const label = labelOf(spec);
  const checks: CheckResult[] = [];
  const notes: string[] = [];
  const steps: { name: string; t: number }[] = [];
  const server = await startAuthServer({ accessTokenTtl: ACCESS_TOKEN_TTL_S, static: shared.files });
  const port = new URL(server.url).port;
  const origin = spec.lock ? `http://127.0.0.1:${port}` : `http://${NO_LOCK_HOST}:${port}`;
  const admin = adminClient(server.url);
  const tabs: Tab[] = [];
  const live = () => tabs.filter((tab) => !tab.closed);
  const pageErrors: string[] = [];
  let env: PageEnv | null = null;
  // When unexpected sign-outs count: from the first sign-in to the logout step, and from the
  // login after it to the end.
  const watched: Array<[from: number, to: number]> = [];
  let watchFrom: number | null = null;
  let soak: [number, number] | null = null;
  let injectedExpected = 0;
  // Refresh requests other tabs sent for the closed tab's deadline before it closed.
  let closedCycleExtra = 0;
  let latencySet = false;

  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  async function step(name: string, run: () => Promise<string>): Promise<boolean> {
    steps.push({ name, t: Date.now() });
    try {
      check(name, true, await run());
      return true;
    } catch (error) {
      check(name, false, message(error));
      return false;
    }
  }
  const state = () => describeTabs(tabs);
  const signIn = (tab: Tab, user: keyof typeof USERS) =>
    tab.page.evaluate(({ username, password }) => window.__e2e.login(username, password), USERS[user]);
  const allSignedIn = (user: string, within = SPREAD_MS) =>
    until(`every tab signed in as ${user} on one token`, () => commonFp(live(), user) !== null, within, state);
  /** Waits for a token none of the tabs held when called, held by every live tab. */
  async function freshToken(label: string, within: number, among: () => Tab[] = live): Promise<string> {
    const old = new Set(among().map((tab) => tab.view.fp));
    const held = { fp: null as string | null };
    await until(label, () => (held.fp = commonFp(among())) !== null && !old.has(held.fp), within, state);
    return held.fp!;
  }
  /** Before a step that needs everyone signed in: wait a little, else sign in again (noted). */
  async function ensureSignedIn(user: keyof typeof USERS, before: string): Promise<void> {
    try {
      await allSignedIn(user, 3000);
    } catch {
      notes.push(`before "${before}": tabs were not all signed in as ${user} (${state()}); signed in again from tab #${live()[0]!.index}`);
      await signIn(live()[0]!, user);
      await allSignedIn(user);
    }
  }

  try {
    for (let i = 0; i < spec.tabs; i++) {
      const page = await shared.context.newPage();
      const tab = new Tab(i, page);
      tabs.push(tab);
      shared.registry.set(page, tab);
      page.on('pageerror', (error) => pageErrors.push(`#${i}: ${message(error)}`));
      await page.goto(`${origin}/?storage=${spec.storage}&sleep=${shared.sleepPort}`);
      await page.waitForFunction(() => window.__e2e?.ready === true, null, { timeout: 15_000 });
      const first = await page.evaluate(() => window.__e2e.view());
      if (!tab.sawStatus) tab.view = first;
    }
    env = await tabs[0]!.page.evaluate(() => window.__e2e.env);
    shared.log(`[${label}] ${env.origin}  isSecureContext=${env.isSecureContext}  navigator.locks=${env.hasWebLocks ? 'present' : 'undefined'}  BroadcastChannel=${env.hasBroadcastChannel}`);
    check('origin as configured', env.hasWebLocks === spec.lock && env.isSecureContext === spec.lock && env.hasBroadcastChannel, `isSecureContext=${env.isSecureContext}, navigator.locks ${env.hasWebLocks ? 'present' : 'undefined'}`);

    await until('every tab signed out at start', () => live().every((tab) => tab.view.status === 'unauthenticated'), SPREAD_MS, state);

    const signedIn = await step('login in one tab signs in all', async () => {
      await signIn(tabs[0]!, 'emilys');
      const took = await allSignedIn('emilys');
      return `all ${spec.tabs} tabs on one token ${took} ms after tab #0's login resolved`;
    });
    if (!signedIn) throw new Error('no session to test: the first login did not reach every tab');
    watchFrom = Date.now();

    // Soak: refresh after refresh, every tab adopting each new token.
    const soakStart = Date.now();
    let splits = 0;
    let samples = 0;
    await until('the soak to end', () => {
      samples++;
      if (commonFp(live()) === null) splits++;
      return Date.now() - soakStart >= shared.soakMs;
    }, shared.soakMs + 1000, undefined, 250);
    soak = [soakStart, Date.now()];
    await step('soak ends with every tab on one token', async () => {
      const took = await until('every tab on one token', () => commonFp(live(), 'emilys') !== null, 3000, state);
      return `${Math.round(shared.soakMs / 1000)} s soak; tabs disagreed in ${splits} of ${samples} samples (adoption in flight); agreed ${took} ms after`;
    });

    await step('hidden tab catches up when shown', async () => {
      await ensureSignedIn('emilys', 'hidden tab');
      const hidden = live()[live().length - 1]!;
      const others = live().filter((tab) => tab !== hidden);
      await freshToken('a new token on every tab (a quiet moment)', SPREAD_MS);
      const heldBefore = hidden.view.fp;
      const from = hidden.events.length;
      await hidden.page.evaluate((ms) => window.__e2e.hideAndFreeze(ms), FREEZE_MS);
      await until('the tab to freeze', () => hidden.frozen, 2000, state);
      const frozenAt = Date.now();
      const seen = new Set<string>();
      await until('the other tabs to adopt 2 new tokens while it is frozen', () => {
        const fp = commonFp(others);
        if (fp !== null && fp !== heldBefore) seen.add(fp);
        return seen.size >= 2 || !hidden.frozen;
      }, FREEZE_MS + 1000, state, 50);
      if (seen.size < 2) throw new Error(`only ${seen.size} new token(s) while the tab was frozen: it missed no deadline to catch up with`);
      await until('the frozen tab to thaw', () => !hidden.frozen, FREEZE_MS + 5000, state);
      const thawedAt = Date.now();
      await hidden.page.evaluate(() => window.__e2e.show());
      const took = await until('the shown tab on the current token', () => commonFp(live(), 'emilys') !== null, 4000, state);
      const signedOut = hidden.events.slice(from).filter((event) => event.kind === 'status' && event.status === 'unauthenticated');
      if (signedOut.length > 0) throw new Error(`the hidden tab was signed out on the way (${signedOut.map((event) => (event.kind === 'status' ? event.reason : '')).join(', ')})`);
      return `tab #${hidden.index} frozen ${thawedAt - frozenAt} ms (others adopted ${seen.size}+ tokens), on the current token ${took} ms after shown`;
    });

    await step('user switch in one tab reaches all', async () => {
      await ensureSignedIn('emilys', 'user switch');
      const switcher = live()[1 % live().length]!;
      await signIn(switcher, 'michaelw');
      const took = await allSignedIn('michaelw');
      return `tab #${switcher.index} signed in as michaelw; every tab on michaelw ${took} ms later`;
    });

    await step('logout in one tab ends all', async () => {
      await ensureSignedIn('michaelw', 'logout');
      watched.push([watchFrom!, Date.now()]);
      watchFrom = null;
      const leaver = live()[0]!;
      await leaver.page.evaluate(() => window.__e2e.logout());
      const took = await until('every tab signed out', () => live().every((tab) => tab.view.status === 'unauthenticated'), SPREAD_MS, state);
      const wrong = live().filter((tab) => tab.view.reason !== (tab === leaver ? 'logged-out' : 'other-tab'));
      if (wrong.length > 0) throw new Error(`signed out with unexpected reasons: ${describeTabs(wrong)} (expected logged-out in #${leaver.index}, other-tab elsewhere)`);
      return `every tab signed out ${took} ms after tab #${leaver.index}'s logout resolved (reason other-tab elsewhere)`;
    });

    await step('login in one tab signs in all (after logout)', async () => {
      const tab = live()[live().length - 1]!;
      await signIn(tab, 'emilys');
      const took = await allSignedIn('emilys');
      watchFrom = Date.now();
      return `tab #${tab.index} signed in; every tab on one token ${took} ms later`;
    });
    watchFrom ??= Date.now();

    await step('closing the tab whose refresh is in flight does not block the others', async () => {
      await ensureSignedIn('emilys', 'closed tab');
      await freshToken('a new token on every tab (a quiet moment)', SPREAD_MS);
      const seenBefore = new Set(tabs.flatMap((tab) => tab.events.flatMap((event) => (event.kind === 'status' && event.fp ? [event.fp] : []))));
      const mark = Date.now();
      const refreshesBefore = (await admin.get<ServerCounts>('/__admin/counts')).counts.refresh ?? 0;
      // The next refresh waits 1 s at the server and is then dropped without spending its
      // token: as if the tab died with its request before the server handled it.
      await admin.post('/__admin/fail-next', { endpoint: 'refresh', count: 1, failure: 'network' });
      await admin.post('/__admin/latency', { endpoint: 'refresh', ms: CLOSE_LATENCY_MS });
      latencySet = true;
      injectedExpected = 1;
      // The tab whose refresh started first after the mark.
      const firstSender = (): Tab | undefined => {
        const starts = live().flatMap((tab) => tab.events.filter((event) => event.kind === 'refresh-start' && event.t >= mark).map((event) => ({ tab, t: event.t })));
        return starts.sort((a, b) => a.t - b.t)[0]?.tab;
      };
      await until('a tab to send a refresh', () => firstSender() !== undefined, CYCLE_MS + SPREAD_MS, state, 20);
      await until('its refresh to reach the server', async () => ((await admin.get<ServerCounts>('/__admin/counts')).counts.refresh ?? 0) > refreshesBefore, CLOSE_LATENCY_MS / 2, undefined, 20);
      const closing = firstSender()!;
      await closing.page.close();
      closing.closed = true;
      shared.registry.delete(closing.page);
      const closedAt = Date.now();
      await until('the closed tab\'s request to be handled', async () => (await admin.get<{ requests: RequestLogEntry[] }>('/__admin/requests')).requests.some((entry) => entry.endpoint === 'refresh' && entry.status === 0 && entry.at >= mark), CLOSE_LATENCY_MS + 2000, undefined, 50);
      await admin.post('/__admin/latency', { endpoint: 'refresh', ms: 0 });
      latencySet = false;
      const remaining = live();
      const recovered = () => {
        const fp = commonFp(remaining, 'emilys');
        return fp !== null && !seenBefore.has(fp);
      };
      // Past the bound the check has failed; watching on says how long the block lasts.
      let after: number | null = null;
      try {
        await until('every other tab on a token issued after the close', recovered, Math.max(0, CLOSE_OBSERVE_MS - (Date.now() - closedAt)), undefined, 50);
        after = Date.now() - closedAt;
      } catch {
        // reported below
      }
      // Another tab that sent a refresh of this deadline before the close is a second refresh:
      // the dropped request (the first to reach the server) may have been either tab's.
      closedCycleExtra = remaining.filter((tab) => tab.events.some((event) => event.kind === 'refresh-start' && event.t >= mark && event.t <= closedAt)).length;
      const blockedUntil = after === null ? Infinity : closedAt + after;
      const during = (kind: PageEvent['kind']) =>
        remaining.reduce((sum, tab) => sum + tab.events.filter((event) => event.kind === kind && event.t > closedAt && event.t <= blockedUntil).length, 0);
      const firstRefresh = Math.min(...remaining.flatMap((tab) => tab.events.filter((event) => event.kind === 'refresh-start' && event.t > closedAt).map((event) => event.t)));
      const spanS = (after ?? CLOSE_OBSERVE_MS) / 1000;
      const what = `tab #${closing.index} closed with its refresh in flight; ` +
        (after === null ? `the other ${remaining.length} tab(s) held no new token ${CLOSE_OBSERVE_MS} ms after the close [${state()}]` : `the other ${remaining.length} tab(s) on a new token ${after} ms after the close`) +
        (closedCycleExtra > 0 ? `; ${closedCycleExtra} of them had sent a refresh of the same deadline before the close` : '') +
        `; their first refresh after the close ${Number.isFinite(firstRefresh) ? `${firstRefresh - closedAt} ms after it` : 'never came'}` +
        `; their app requests got ${during('me')} GET /auth/me answers in those ${spanS.toFixed(1)} s (about ${Math.round(spanS * remaining.length)} at one a second per tab)`;
      if (after === null || after > CLOSE_BOUND_MS) throw new Error(`blocked beyond ${CLOSE_BOUND_MS} ms: ${what}`);
      return what;
    });

    // A step that failed half-way must not leave the latency on for the next.
    if (latencySet) await admin.post('/__admin/latency', { endpoint: 'refresh', ms: 0 });
    await step('the other tabs keep refreshing after the close', async () => {
      await ensureSignedIn('emilys', 'after the close');
      const next = await freshToken('a next token on every tab', CYCLE_MS + SPREAD_MS);
      const later = await freshToken('another token on every tab', CYCLE_MS + SPREAD_MS);
      return `two more tokens adopted by every tab (${next}, ${later})`;
    });

    await step('every tab ends on one token', async () => {
      const took = await until('every tab on one token', () => commonFp(live()) !== null, 3000, state);
      return `${live().length} tabs on ${commonFp(live())} (${took} ms)`;
    });
  } catch (error) {
    check('run completes', false, message(error));
  }
  if (watchFrom !== null) watched.push([watchFrom, Date.now()]);

  // What the server saw.
  let counts: ServerCounts = { counts: {}, spentRefreshTokenRequests: NaN, expiredAccessTokenRequests: NaN };
  let requests: RequestLogEntry[] = [];
  try {
    counts = await admin.get<ServerCounts>('/__admin/counts');
    requests = (await admin.get<{ requests: RequestLogEntry[] }>('/__admin/requests')).requests;
  } catch (error) {
    check('server counters read', false, message(error));
  }
  const refreshes = requests.filter((entry) => entry.endpoint === 'refresh');
  // The request the test dropped (the closed tab's) is left out: its deadline's real refresh
  // is the one that follows.
  const injected = refreshes.filter((entry) => entry.status === 0).length;
  const deadlines = groupByDeadline(refreshes.filter((entry) => entry.status !== 0));
  const uneven = deadlines.filter((group) => group.length > 1);
  const refreshRequests = counts.counts.refresh ?? refreshes.length;
  const cycles = deadlines.length;
  const perCycle = cycles === 0 ? NaN : (refreshRequests - injected) / cycles;
  // The tabs that sent a refresh shortly before a group's requests were handled.
  const senders = (group: RequestLogEntry[]) =>
    tabs.filter((tab) => tab.events.some((event) => event.kind === 'refresh-start' && event.t >= group[0]!.at - SAME_DEADLINE_GAP_MS && event.t <= group[group.length - 1]!.at)).map((tab) => `#${tab.index}`);
  const shape = (group: RequestLogEntry[]) =>
    `${group.length} (answered ${group.map((entry) => entry.status).join('+')} within ${group[group.length - 1]!.at - group[0]!.at} ms, sent by ${senders(group).join(',') || '?'})`;
  check(
    'exactly one refresh request per deadline',
    cycles > 0 && uneven.length === 0 && refreshRequests - injected === cycles && injected === injectedExpected && closedCycleExtra === 0,
    `${refreshRequests} refresh requests (${injected} dropped by the test) for ${cycles} deadlines; ` +
      (uneven.length === 0 ? 'one per deadline' : `${uneven.length} deadline(s) with more than one: ${uneven.slice(0, 5).map(shape).join(', ')}${uneven.length > 5 ? ', ...' : ''}`) +
      (closedCycleExtra > 0 ? `; and ${closedCycleExtra} other tab(s) refreshed the closed tab's deadline alongside it (the dropped request may have hidden it)` : ''),
  );

  const issued = requests.filter((entry) => (entry.endpoint === 'refresh' || entry.endpoint === 'login') && entry.status === 200).length;
  const adopted = new Set(tabs.flatMap((tab) => tab.events.flatMap((event) => (event.kind === 'status' && event.fp ? [event.fp] : [])))).size;
  check('every token issued is adopted, no other', issued === adopted, `${issued} tokens issued (logins + refreshes answered 200), ${adopted} distinct tokens held by tabs`);

  check('no spent refresh token sent', counts.spentRefreshTokenRequests === 0, `server counted ${counts.spentRefreshTokenRequests}`);
  // Where Web Locks exist the lock alone coordinates: a claim there means the lock was not used.
  const claims = (await Promise.all(tabs.filter((tab) => !tab.closed).map((tab) => tab.page.evaluate(() => window.__e2e.counters().claimsHeard)))).reduce((a, b) => a + b, 0);
  if (spec.lock) check('with Web Locks, no tab needed the election', claims === 0, `${claims} claims heard`);
  else shared.log(`[${label}] ${claims} refresh claims heard across the tabs (the election, without Web Locks)`);
  const meEvents = tabs.flatMap((tab) => tab.events.filter((event) => event.kind === 'me'));
  const meUnauthorized = meEvents.filter((event) => event.kind === 'me' && event.status === 401).length;
  const meRejected = meEvents.filter((event) => event.kind === 'me' && event.status === -1);
  check(
    'no expired access token sent',
    counts.expiredAccessTokenRequests === 0,
    `server counted ${counts.expiredAccessTokenRequests} expired of ${counts.counts.me ?? 0} GET /auth/me` +
      (meUnauthorized > 0 ? `; ${meUnauthorized} app requests answered 401 (none expired: revoked tokens)` : '') +
      (meRejected.length > 0 ? `; getAccessToken() rejected ${meRejected.length}x (${[...new Set(meRejected.map((event) => (event.kind === 'me' ? event.error : '')))].join(', ')})` : ''),
  );

  if (soak) {
    const [from, to] = soak;
    const inSoak = deadlines.filter((group) => group[0]!.at >= from && group[0]!.at < to).length;
    const min = Math.floor((to - from) / (CYCLE_MS * 1.3));
    const max = Math.ceil((to - from) / (CYCLE_MS * 0.9)) + 1;
    check('refresh kept pace during the soak', inSoak >= min && inSoak <= max, `${inSoak} deadlines in ${((to - from) / 1000).toFixed(1)} s (expected ${min}..${max} at one per ~${CYCLE_MS} ms)`);
  }

  const stepAt = (t: number) => [...steps].reverse().find((s) => s.t <= t)?.name ?? 'soak';
  const signedOut = tabs
    .map((tab) => ({
      tab,
      outs: tab.events.filter(
        (event): event is Extract<PageEvent, { kind: 'status' }> =>
          event.kind === 'status' && event.status === 'unauthenticated' && watched.some(([from, to]) => event.t >= from && event.t <= to),
      ),
    }))
    .filter(({ outs }) => outs.length > 0);
  const soakEnd = soak?.[1] ?? Infinity;
  check(
    'no tab signed out (outside the logout step)',
    signedOut.length === 0 && watched.length > 0,
    signedOut.length === 0
      ? `${tabs.length} tabs, every status change recorded`
      : signedOut
          .map(({ tab, outs }) => `#${tab.index} ${outs.length}x (first: reason ${outs[0]!.reason}, during "${outs[0]!.t < soakEnd && outs[0]!.t >= (soak?.[0] ?? 0) ? 'soak' : stepAt(outs[0]!.t)}")`)
          .join('; '),
  );
  check('no uncaught error in a page', pageErrors.length === 0, pageErrors.length === 0 ? 'none' : pageErrors.slice(0, 3).join('; '));

  for (const tab of tabs) {
    if (!tab.closed) await tab.page.close().catch(() => undefined);
    tab.closed = true;
    shared.registry.delete(tab.page);
  }
  await server.close();
  return {
    spec,
    label,
    origin,
    env,
    cycles,
    refreshRequests,
    injected,
    perCycle,
    spentSent: counts.spentRefreshTokenRequests,
    expiredSent: counts.expiredAccessTokenRequests,
    meUnauthorized,
    tabsSignedOut: signedOut.length,
    wallMs: Date.now() - started,
    checks,
    notes,
  };
}

/** Routes the pages' events to their tabs. Call once per context, before any page opens. */
export async function bindEvents(context: BrowserContext, registry: Map<Page, Tab>): Promise<void> {
  await context.exposeBinding(EVENT_BINDING, (source, event: PageEvent) => {
    registry.get(source.page)?.onEvent(event);
  });
}
