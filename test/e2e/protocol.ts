/**
 * What the e2e test page (app.ts) and the runner (runner.ts) say to each other. The page
 * never hands out a token: only a short fingerprint of it (see `fingerprint` in app.ts).
 */

/** What a tab shows: the snapshot, without tokens. */
export interface TabView {
  status: 'loading' | 'authenticated' | 'unauthenticated';
  /** The user's `username` when authenticated. */
  user: string | null;
  /** Fingerprint of the access token when authenticated. */
  fp: string | null;
  /** The end reason when unauthenticated. */
  reason: string | null;
  isRefreshing: boolean;
}

/** One thing that happened in a tab, pushed to the runner as it happens. */
export type PageEvent =
  | ({ kind: 'status'; t: number } & TabView)
  /** A refresh request left this tab (through the client's `fetch`). */
  | { kind: 'refresh-start'; t: number; id: number }
  /** Its answer came (`status`), or it failed on the network (`status` 0). */
  | { kind: 'refresh-end'; t: number; id: number; status: number }
  /**
   * An app request to GET /auth/me with `getAccessToken()`'s token was answered (`status`;
   * 0: a network failure), or `getAccessToken()` rejected (`status` -1, `error` its code).
   */
  | { kind: 'me'; t: number; status: number; fp: string | null; error?: string }
  /** The client's `onError`. */
  | { kind: 'error'; t: number; code: string }
  /** The page emulates hidden (`hidden: true`) or visible again. */
  | { kind: 'visibility'; t: number; hidden: boolean }
  /** The page's main thread is about to block (`frozen: true`), or has come back. */
  | { kind: 'freeze'; t: number; frozen: boolean; ms: number };

/** Facts about the page's origin, printed per run. */
export interface PageEnv {
  origin: string;
  isSecureContext: boolean;
  hasWebLocks: boolean;
  hasBroadcastChannel: boolean;
  storage: 'memory' | 'localStorage';
}

/** Counters kept by the page. */
export interface PageCounters {
  refreshSent: number;
  refreshInFlight: number;
  refreshAnswered: number;
  refreshNetworkFailures: number;
  meSent: number;
  meUnauthorized: number;
  meSkippedNoToken: number;
  meTokenRejected: number;
  statusChanges: number;
  errors: number;
  /** Refresh claims other tabs sent on the package's channel: the election at work (none where Web Locks coordinate). */
  claimsHeard: number;
}

/** The test API the page puts on `window.__e2e`. */
export interface PageApi {
  ready: boolean;
  env: PageEnv;
  view(): TabView;
  counters(): PageCounters;
  events(): PageEvent[];
  login(username: string, password: string): Promise<TabView>;
  logout(): Promise<TabView>;
  /** Fingerprint of `client.getAccessToken()`'s token, or null. */
  getAccessToken(): Promise<string | null>;
  /**
   * Emulates a hidden tab that the browser freezes: `visibilityState` reads `hidden` and
   * `visibilitychange` fires; then the main thread blocks for `ms` (a synchronous request
   * the runner's sleep server answers late), so no timer fires and no message is handled;
   * what queued up runs afterwards. The tab stays hidden until `show()`.
   */
  hideAndFreeze(ms: number): void;
  /** `visibilityState` reads `visible` again and `visibilitychange` fires. */
  show(): void;
  frozen: boolean;
}

/** The binding the runner exposes to every page. */
export const EVENT_BINDING = '__e2eEvent';
