/**
 * The e2e test page's script: one authloop client per tab, built from the package's public
 * API only (`createAuthClient`, `mount`, `login`, `logout`, `getSnapshot`, `subscribe`,
 * `getAccessToken`), with a small test API on `window.__e2e` for the runner.
 *
 * Query parameters: `storage` (`memory` | `localStorage`, default `memory`), `sleep` (port
 * of the runner's sleep server, for `hideAndFreeze`), `me` (ms between app requests to
 * GET /auth/me, default 1000; `0` for none).
 *
 * Tokens never leave this file: the runner sees a fingerprint (FNV-1a, 8 hex digits).
 */
import { createAuthClient } from '../../src/core/index';
import { EVENT_BINDING, type PageApi, type PageCounters, type PageEnv, type PageEvent, type TabView } from './protocol';

declare global {
  interface Window {
    __e2e: PageApi;
    [EVENT_BINDING]?: (event: PageEvent) => Promise<void>;
  }
}

const params = new URLSearchParams(location.search);
const storage = params.get('storage') === 'localStorage' ? 'localStorage' : 'memory';
const sleepPort = params.get('sleep');
const mePeriodMs = Number(params.get('me') ?? 1000);

/** FNV-1a over the token's characters: enough to tell tokens apart, useless to replay one. */
function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const events: PageEvent[] = [];
const counters: PageCounters = {
  refreshSent: 0,
  refreshInFlight: 0,
  refreshAnswered: 0,
  refreshNetworkFailures: 0,
  meSent: 0,
  meUnauthorized: 0,
  meSkippedNoToken: 0,
  meTokenRejected: 0,
  statusChanges: 0,
  errors: 0,
  claimsHeard: 0,
};

// Listens beside the client on its channel (the default storage key's), to see which
// mechanism coordinated the tabs: claims are the election, sent only without a shared lock.
new BroadcastChannel('authloop:authloop.session').onmessage = (event: MessageEvent<{ message?: { type?: string } } | null>) => {
  if (event.data?.message?.type === 'claim') counters.claimsHeard++;
};

function emit(event: PageEvent): void {
  events.push(event);
  // The runner's binding; absent when the page is opened by hand.
  window[EVENT_BINDING]?.(event).catch(() => undefined);
}

let refreshIds = 0;
const pathOf = (input: RequestInfo | URL): string =>
  new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href).pathname;

/** The client's `fetch` option: counts the refresh requests this tab sends, and their answers. */
const countingFetch: typeof fetch = (input, init) => {
  if (pathOf(input) !== '/auth/refresh') return fetch(input, init);
  const id = ++refreshIds;
  counters.refreshSent++;
  counters.refreshInFlight++;
  emit({ kind: 'refresh-start', t: Date.now(), id });
  return fetch(input, init).then(
    (response) => {
      counters.refreshInFlight--;
      counters.refreshAnswered++;
      emit({ kind: 'refresh-end', t: Date.now(), id, status: response.status });
      return response;
    },
    (error: unknown) => {
      counters.refreshInFlight--;
      counters.refreshNetworkFailures++;
      emit({ kind: 'refresh-end', t: Date.now(), id, status: 0 });
      throw error;
    },
  );
};

const client = createAuthClient({
  baseUrl: location.origin,
  storage,
  fetch: countingFetch,
  onError: (error) => {
    counters.errors++;
    emit({ kind: 'error', t: Date.now(), code: error.code });
  },
});

function view(): TabView {
  const snapshot = client.getSnapshot();
  if (snapshot.status === 'authenticated') {
    return { status: 'authenticated', user: snapshot.user.username, fp: fingerprint(snapshot.accessToken), reason: null, isRefreshing: snapshot.isRefreshing };
  }
  if (snapshot.status === 'unauthenticated') return { status: 'unauthenticated', user: null, fp: null, reason: snapshot.reason, isRefreshing: false };
  return { status: 'loading', user: null, fp: null, reason: null, isRefreshing: false };
}

let last: TabView | null = null;
function record(): void {
  const now = view();
  if (last && now.status === last.status && now.user === last.user && now.fp === last.fp && now.reason === last.reason && now.isRefreshing === last.isRefreshing) return;
  last = now;
  counters.statusChanges++;
  emit({ kind: 'status', t: Date.now(), ...now });
}

// Hidden, as far as the page can tell: headless Chromium shows every page, and refuses to
// freeze a visible one, so the runner asks the page to play a hidden, frozen tab.
let emulatedHidden = false;
const realVisibility = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState')?.get;
Object.defineProperty(document, 'visibilityState', {
  configurable: true,
  get: () => (emulatedHidden ? 'hidden' : (realVisibility?.call(document) ?? 'visible')),
});
Object.defineProperty(document, 'hidden', { configurable: true, get: () => document.visibilityState === 'hidden' });

function setHidden(hidden: boolean): void {
  emulatedHidden = hidden;
  emit({ kind: 'visibility', t: Date.now(), hidden });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
}

/** Blocks the main thread for `ms` without spinning: a synchronous request answered late. */
function blockMainThread(ms: number): void {
  if (!sleepPort) throw new Error('no sleep server (query parameter `sleep`)');
  const request = new XMLHttpRequest();
  // A URL of its own: Chromium's HTTP cache holds a second request for the same URL until the first ends.
  request.open('GET', `${location.protocol}//${location.hostname}:${sleepPort}/sleep?ms=${ms}&n=${Date.now()}-${Math.random()}`, false);
  request.send();
}

/** App traffic: what an API client's interceptor does with `getAccessToken()`. */
async function callMe(): Promise<void> {
  let token: string | null;
  try {
    token = await client.getAccessToken();
  } catch (error) {
    // An app's interceptor sees the session end this way; the runner counts it, the page goes on.
    counters.meTokenRejected++;
    emit({ kind: 'me', t: Date.now(), status: -1, fp: null, error: (error as { code?: string }).code ?? String(error) });
    return;
  }
  if (token === null) {
    counters.meSkippedNoToken++;
    return;
  }
  counters.meSent++;
  try {
    const response = await fetch('/auth/me', { headers: { Authorization: `Bearer ${token}` } });
    if (response.status === 401) counters.meUnauthorized++;
    emit({ kind: 'me', t: Date.now(), status: response.status, fp: fingerprint(token) });
  } catch {
    emit({ kind: 'me', t: Date.now(), status: 0, fp: fingerprint(token) });
  }
}

const env: PageEnv = {
  origin: location.origin,
  isSecureContext: window.isSecureContext,
  hasWebLocks: !!navigator.locks,
  hasBroadcastChannel: typeof BroadcastChannel === 'function',
  storage,
};

const api: PageApi = {
  ready: false,
  env,
  frozen: false,
  view,
  counters: () => ({ ...counters }),
  events: () => events.slice(),
  async login(username, password) {
    await client.login({ username, password });
    return view();
  },
  async logout() {
    await client.logout();
    return view();
  },
  async getAccessToken() {
    const token = await client.getAccessToken();
    return token === null ? null : fingerprint(token);
  },
  hideAndFreeze(ms) {
    setHidden(true);
    // In a task of its own, so the call that asked returns first.
    setTimeout(() => {
      api.frozen = true;
      emit({ kind: 'freeze', t: Date.now(), frozen: true, ms });
      try {
        blockMainThread(ms);
      } finally {
        api.frozen = false;
        emit({ kind: 'freeze', t: Date.now(), frozen: false, ms });
      }
    }, 0);
  },
  show() {
    setHidden(false);
  },
};
window.__e2e = api;

client.subscribe(record);
client.mount();
record();
if (mePeriodMs > 0) {
  // Tabs out of step with each other, as real ones are.
  setTimeout(() => {
    void callMe();
    setInterval(() => void callMe(), mePeriodMs);
  }, Math.random() * mePeriodMs);
}
api.ready = true;
