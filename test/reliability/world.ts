import { QueryClient, focusManager, onlineManager } from '@tanstack/query-core';
import { HttpResponse, http } from 'msw';
import { authKeys, createAuthClient, isAuthError, type AuthClient, type Clock, type StorageAdapter } from '../../src/core';
import { createAuthHandlers, createTestClock, type TestClock } from '../../src/testing';
import { BASE_URL, server } from '../harness';

let worlds = 0;
export const REFRESH_TTL_S = 7 * 24 * 3600;
export const ACCESS_TTL_S = 900;
const SECOND = 1_000;
// Longer than any latency plus backoff the test injects: a call still pending then is stuck.
const MAX_CALL_MS = 5 * 60_000;

/** Storage that can be told to throw on write (quota exceeded) or to hold garbage. */
export interface FaultyStorage extends StorageAdapter {
  raw: Map<string, string>;
  failWrites: boolean;
  /** The last write of a session failed: a reload cannot be expected to restore it. */
  lostWrite: boolean;
}

function createFaultyStorage(): FaultyStorage {
  const storage: FaultyStorage = {
    raw: new Map(),
    failWrites: false,
    lostWrite: false,
    get: (key) => storage.raw.get(key) ?? null,
    set(key, value) {
      storage.lostWrite = storage.failWrites;
      if (storage.failWrites) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      storage.raw.set(key, value);
    },
    remove: (key) => void storage.raw.delete(key),
  };
  return storage;
}

/**
 * One simulated browser tab against one fake server: a server clock, a device clock that
 * can drift from it, a network that can go down, storage that can fail, and probes that
 * record every invariant the client must keep.
 */
export class World {
  readonly key = `authloop.session.${++worlds}`;
  readonly serverClock: TestClock = createTestClock();
  offset = 0;
  readonly deviceClock: Clock = {
    now: () => this.serverClock.now() + this.offset,
    setTimeout: (callback, ms) => this.serverClock.setTimeout(callback, ms),
    clearTimeout: (handle) => this.serverClock.clearTimeout(handle),
  };
  readonly handlers = createAuthHandlers({ baseUrl: BASE_URL, clock: this.serverClock, accessTokenTtl: ACCESS_TTL_S, refreshTokenTtl: REFRESH_TTL_S });
  readonly control = this.handlers.control;
  readonly storage = createFaultyStorage();
  readonly queryClient = new QueryClient();
  client!: AuthClient;

  networkDown = false;
  /** The server's view, as far as the test knows it: would it still refresh this session? */
  familyRevoked = false;
  /** Storage was corrupted by the test since the session was last written. */
  storageCorrupted = false;
  attackerReplays = 0;
  /** Reloads that happened while a refresh was on the wire. */
  interruptedRefreshes = 0;
  stolenRefreshToken: string | null = null;

  refreshesInFlight = 0;
  maxRefreshesInFlight = 0;
  knownExpiredSends = 0;
  uncaught: unknown[] = [];
  hung = 0;
  readonly expiries = new Map<string, number | null>();

  constructor() {
    server.use(
      http.all(`${BASE_URL}/*`, () => (this.networkDown ? HttpResponse.error() : undefined)),
      ...this.handlers.handlers,
    );
    this.client = this.createClient();
  }

  createClient(): AuthClient {
    const client = createAuthClient({
      baseUrl: BASE_URL,
      clock: this.deviceClock,
      storage: this.storage,
      // Each world is a browser of its own: its refresh lock is not shared with the last run's.
      storageKey: this.key,
      crossTab: false,
      queryClient: this.queryClient,
      fetch: (input, init) => this.probeFetch(new Request(input, init)),
      onError: () => undefined,
    });
    // Mounted as a provider would: the refresh timer, wake-ups and channel run.
    client.mount();
    client.subscribe(() => {
      const snapshot = client.getSnapshot();
      if (snapshot.status === 'authenticated') this.expiries.set(snapshot.accessToken, snapshot.expiresAt);
    });
    return client;
  }

  private async probeFetch(request: Request): Promise<Response> {
    const isRefresh = request.url.endsWith('/auth/refresh');
    const bearer = request.headers.get('Authorization')?.replace(/^Bearer /, '');
    if (bearer !== undefined) {
      const expiresAt = this.expiries.get(bearer);
      // Sent after the moment the client itself believes the token expires.
      if (expiresAt != null && this.deviceClock.now() >= expiresAt) this.knownExpiredSends += 1;
    }
    if (isRefresh) {
      this.refreshesInFlight += 1;
      this.maxRefreshesInFlight = Math.max(this.maxRefreshesInFlight, this.refreshesInFlight);
    }
    try {
      return await fetch(request);
    } finally {
      if (isRefresh) this.refreshesInFlight -= 1;
    }
  }

  /** Settles whatever the last step started, without moving time. */
  settle(): Promise<void> {
    return this.serverClock.flush();
  }

  /**
   * Runs a client call that may fail, moving time a second at a time while it is pending
   * (the server's latency runs on the clock). Anything thrown that is not an AuthError is a
   * defect, and so is a call that has not settled after five simulated minutes.
   */
  async attempt(promise: Promise<unknown>): Promise<void> {
    let settled = false;
    const watched = promise
      .catch((error: unknown) => {
        if (!isAuthError(error)) this.uncaught.push(error);
      })
      .finally(() => {
        settled = true;
      });
    await this.settle();
    for (let waited = 0; !settled && waited < MAX_CALL_MS; waited += SECOND) await this.serverClock.advance(SECOND);
    if (!settled) this.hung += 1;
    else await watched;
  }

  /** When the server would stop accepting this session's refresh token. */
  refreshValidUntil(): number {
    const issued = this.control
      .requests()
      .filter((entry) => (entry.endpoint === 'login' || entry.endpoint === 'refresh') && entry.status === 200)
      .at(-1);
    return issued ? issued.at + REFRESH_TTL_S * 1000 : -Infinity;
  }

  serverWouldRefresh(): boolean {
    return !this.familyRevoked && this.serverClock.now() < this.refreshValidUntil() - 1_000;
  }

  authQueries(): number {
    return this.queryClient.getQueryCache().findAll({ queryKey: authKeys.all }).length;
  }

  destroy() {
    this.client.destroy();
    this.queryClient.clear();
    focusManager.setFocused(undefined);
    onlineManager.setOnline(true);
  }
}
