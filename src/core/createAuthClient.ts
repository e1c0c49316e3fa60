import { focusManager, onlineManager, type QueryClient } from '@tanstack/query-core';
import { authKeys } from './authKeys';
import { sleep, type TimerHandle } from './clock';
import { resolveConfig, type AuthClientConfig, type Credentials } from './config';
import { withLock, yieldToMessages, type TabMessage } from './crossTab';
import { AuthError, toAuthError } from './errors';
import { deserializeSession, parseSession, parseUser, serializeSession } from './parseSession';
import { userSchema as defaultUserSchema, type StandardSchemaV1 } from './schemas';
import { initialState, sessionReducer, type AuthSnapshot, type EndReason, type EngineState, type Session, type SessionAction } from './sessionState';
import { isExpired } from './tokens';
import { andThen, type MaybePromise } from './maybe';
import type { StorageAdapter } from './storage';
import { isTransient, readResponse } from './transport';

// Browsers run a setTimeout longer than 2^31-1 ms at once; longer waits are re-armed on firing.
export const MAX_TIMER_DELAY_MS = 2_147_483_647;
// Backoff after a refresh that could not reach the server: 1 s, doubling, at most a minute.
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/** The framework-free engine behind the hooks. */
export interface AuthClient<TUser = StandardSchemaV1.InferOutput<typeof defaultUserSchema>> {
  /** The current state; the same object until something changes. */
  getSnapshot(): AuthSnapshot<TUser>;
  /** The snapshot a server render shows: `loading` with persistent storage, else `unauthenticated`. */
  getServerSnapshot(): AuthSnapshot<TUser>;
  /** Calls `listener` on every change of the snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Signs in. Rejects with an {@link AuthError}; `auth/invalid_credentials` for a wrong password. */
  login(credentials: Credentials): Promise<Extract<AuthSnapshot<TUser>, { status: 'authenticated' }>>;
  /**
   * Ends the session here and in every tab: storage cleared, auth queries removed. With
   * `paths.logout`, then tells the server (a failure there goes to `onError`).
   */
  logout(): Promise<void>;
  /** A fresh access token, refreshing first if it is due; `null` when signed out. */
  getAccessToken(): Promise<string | null>;
  /** Refreshes now (joining a refresh already in flight). */
  refresh(): Promise<void>;
  /** `fetch` with the bearer token; a 401 causes one shared refresh and one retry. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** GET me, validated by the user schema. */
  fetchMe(): Promise<TUser>;
  /** Lets logout and user switches clear this QueryClient's auth queries; returns the unbind function. */
  bindQueryClient(queryClient: QueryClient): () => void;
  /** Stops timers, listeners and the cross-tab channel. */
  destroy(): void;
}

function reasonFor(error: AuthError): EndReason {
  return error.serverCode?.includes('expired') ? 'expired' : 'revoked';
}

/**
 * Creates the auth engine. Nothing is read or started until first use, so it is safe to
 * call at module scope and during server rendering.
 *
 * @example
 * const auth = createAuthClient({ baseUrl: 'https://api.example.com', storage: 'localStorage' });
 * const token = await auth.getAccessToken();
 */
export function createAuthClient<TUserSchema extends StandardSchemaV1 = typeof defaultUserSchema>(
  config: AuthClientConfig<TUserSchema> = {},
): AuthClient<StandardSchemaV1.InferOutput<TUserSchema>> {
  type TUser = StandardSchemaV1.InferOutput<TUserSchema>;
  const cfg = resolveConfig(config);
  const { clock, storage, storageKey } = cfg;
  const lockName = `authloop:refresh:${storageKey}`;

  const serverSnapshot = initialState<TUser>(storage !== null).snapshot;
  let state: EngineState<TUser> = { snapshot: serverSnapshot, session: null };
  const listeners = new Set<() => void>();
  const queryClients = new Set<QueryClient>();
  if (config.queryClient) queryClients.add(config.queryClient);

  let restoring: Promise<void> | null = null;
  let refreshing: Promise<void> | null = null;
  let timer: TimerHandle | null = null;
  let failures = 0;
  let retryAt: number | null = null;
  let stopWatching: (() => void) | null = null;
  let channel: BroadcastChannel | null = null;
  // A refresh another tab announced for the session this tab shares with it.
  let remoteRefresh: { from: string; settled: Promise<void>; settle: () => void } | null = null;
  let destroyed = false;

  function report(error: AuthError) {
    try {
      config.onError?.(error);
    } catch {
      // An app's error handler must not break the engine.
    }
  }

  function dispatch(action: SessionAction<TUser>) {
    const next = sessionReducer(state, action);
    if (next === state) return;
    const previousUser = state.session?.user;
    state = next;
    if (previousUser !== undefined && (next.session === null || !sameUser(previousUser, next.session.user))) {
      clearUserQueries();
    }
    afterChange();
    listeners.forEach((listener) => listener());
  }

  function sameUser(a: TUser, b: TUser): boolean {
    const id = (user: TUser) => (typeof user === 'object' && user !== null ? (user as { id?: unknown }).id : user);
    return a === b || (id(a) !== undefined && id(a) === id(b));
  }

  function clearUserQueries() {
    for (const queryClient of queryClients) {
      if (config.clearCacheOnLogout) queryClient.clear();
      else {
        void queryClient.cancelQueries({ queryKey: authKeys.all });
        queryClient.removeQueries({ queryKey: authKeys.all });
      }
    }
  }

  // ---- storage ----

  // Storage may be sync or async, and may throw or reject: either way the failure goes to
  // onError, and `recover` decides what the call gives back.
  function touchStorage<T>(run: (storage: StorageAdapter) => MaybePromise<T>, recover: () => T): MaybePromise<T> {
    const fail = (cause: unknown) => {
      report(new AuthError('auth/storage', { cause }));
      return recover();
    };
    try {
      const result = run(storage!);
      return result instanceof Promise ? result.catch(fail) : result;
    } catch (cause) {
      return fail(cause);
    }
  }

  function writeStored(session: Session<TUser> | null) {
    if (!storage) return;
    void touchStorage(
      (area) => (session ? area.set(storageKey, serializeSession(session)) : area.remove(storageKey)),
      // What is left stored holds a refresh token that has since been spent: a reload would
      // present it, and a rotating server would revoke the whole session for reuse.
      () => (session ? removeQuietly() : undefined),
    );
  }

  // The failure that led here was reported once; nothing more can be done if this fails too.
  function removeQuietly() {
    try {
      void Promise.resolve(storage!.remove(storageKey)).catch(() => undefined);
    } catch {
      // see above
    }
  }

  function readStored(): MaybePromise<Session<TUser> | null> {
    if (!storage) return null;
    return touchStorage(
      (area) =>
        andThen(area.get(storageKey), (raw) =>
          andThen(deserializeSession(raw, cfg.userSchema), (session) => {
            // Whatever is stored but unreadable (garbage, an old format) is removed, once.
            if (raw != null && !session) writeStored(null);
            return session;
          }),
        ),
      () => null,
    );
  }

  // ---- start-up ----

  function ensureStarted() {
    if (restoring || destroyed) return;
    // Listen from the start: a signed-out tab must hear another tab's login.
    openChannel();
    // Synchronous storage restores at once, so the very first render can be authenticated.
    restoring = Promise.resolve(andThen(readStored(), restore)).catch(() => restore(null));
  }

  function restore(session: Session<TUser> | null) {
    if (state.session || destroyed) return; // a login or another tab got there first
    const now = clock.now();
    if (session === null) {
      dispatch({ type: 'ended', reason: null });
    } else if (!isExpired(session.expiresAt, now)) {
      dispatch({ type: 'session', session });
    } else if (canRefresh(session)) {
      dispatch({ type: 'session', session, pending: true });
      refresh().catch(() => undefined);
    } else {
      writeStored(null);
      dispatch({ type: 'ended', reason: 'expired' });
    }
  }

  // ---- timers and wake-ups ----

  function afterChange() {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (!state.session || destroyed) {
      stopWatching?.();
      stopWatching = null;
      return;
    }
    stopWatching ??= watchWakeUps();
    // The refresh in flight re-arms the timer when it settles.
    if (state.snapshot.status === 'authenticated' && state.snapshot.isRefreshing) return;
    const at = retryAt ?? state.session.refreshAt;
    if (at === null) return; // no expiry known: refresh on 401 only
    const delay = Math.min(Math.max(0, at - clock.now()), MAX_TIMER_DELAY_MS);
    timer = clock.setTimeout(() => {
      timer = null;
      checkDeadline();
    }, delay);
  }

  // A timer in a hidden tab or on a sleeping laptop fires late or not at all: look again
  // whenever the page comes back into view or the network returns.
  function watchWakeUps() {
    const offs = [
      focusManager.subscribe((focused) => focused && checkDeadline()),
      onlineManager.subscribe((online) => {
        if (!online) return;
        // Back online: a retry waiting out its backoff goes now.
        if (retryAt !== null) retryAt = clock.now();
        checkDeadline();
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  function checkDeadline() {
    const session = state.session;
    if (!session || refreshing) return;
    const at = retryAt ?? session.refreshAt;
    if (at !== null && clock.now() >= at) refresh().catch(() => undefined);
    else afterChange();
  }

  // ---- cross-tab ----

  function openChannel() {
    if (channel || !cfg.crossTab) return;
    // Created only here, never at import; where there is none, this tab is on its own.
    if (typeof BroadcastChannel == 'undefined') return;
    channel = new BroadcastChannel(`authloop:${storageKey}`);
    channel.onmessage = (event: MessageEvent<TabMessage<TUser>>) => onTabMessage(event.data);
  }

  function onTabMessage(message: TabMessage<TUser>) {
    if (destroyed) return;
    if (message.type === 'refreshing') {
      if (state.session?.accessToken === message.from) {
        let settle = () => {};
        const settled = new Promise<void>((resolve) => (settle = resolve));
        remoteRefresh = { from: message.from, settled, settle };
      }
      return;
    }
    if (message.type === 'refresh-settled') {
      if (remoteRefresh?.from === message.from) settleRemoteRefresh();
      return;
    }
    if (message.type === 'session') {
      if (state.session?.accessToken !== message.session.accessToken) {
        resetRetry();
        dispatch({ type: 'session', session: message.session });
      }
    } else if (state.session) {
      dispatch({ type: 'ended', reason: 'other-tab' });
    }
    settleRemoteRefresh();
  }

  function post(message: TabMessage<TUser>) {
    channel?.postMessage(message);
  }

  function settleRemoteRefresh() {
    remoteRefresh?.settle();
    remoteRefresh = null;
  }

  // ---- refresh ----

  function refreshBody(session: Session<TUser>) {
    return cfg.refreshInCookie || session.refreshToken === null ? {} : { refreshToken: session.refreshToken };
  }

  function canRefresh(session: Session<TUser>) {
    return session.refreshToken !== null || cfg.refreshInCookie;
  }

  function resetRetry() {
    failures = 0;
    retryAt = null;
  }

  function commit(session: Session<TUser>) {
    // A request that settles after destroy() must not write anything anywhere.
    if (destroyed) return;
    resetRetry();
    writeStored(session);
    dispatch({ type: 'session', session });
    post({ type: 'session', session });
  }

  function end(reason: EndReason, error: AuthError | null) {
    if (destroyed) return;
    resetRetry();
    writeStored(null);
    dispatch({ type: 'ended', reason, error });
    post({ type: 'ended', reason });
  }

  function refresh(): Promise<void> {
    refreshing ??= runRefresh().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function runRefresh(): Promise<void> {
    const base = state.session;
    if (!base) throw new AuthError('auth/session_expired');
    if (!canRefresh(base)) {
      const error = new AuthError('auth/session_expired');
      end('expired', error);
      throw error;
    }
    const from = base.accessToken;
    let announced = false;
    dispatch({ type: 'refreshing', value: true });
    try {
      await withLock(lockName, async () => {
        // Another tab may have rotated the tokens while this one waited for the lock. It said
        // so when it took the lock, long before it let go; its new session may still be on
        // the way (memory storage has no other copy), so wait for it rather than spend the
        // token again.
        if (cfg.crossTab) await yieldToMessages();
        if (remoteRefresh?.from === from) await Promise.race([remoteRefresh.settled, sleep(clock, cfg.timeoutMs)]);
        if (state.session !== base || destroyed) return;
        const stored = await readStored();
        // A logout or a login while storage was read: it wins.
        if (state.session !== base || destroyed) return;
        if (stored && stored.accessToken !== from && stored.refreshToken !== base.refreshToken) {
          resetRetry();
          return dispatch({ type: 'session', session: stored });
        }
        announced = true;
        post({ type: 'refreshing', from });
        const body = await postJson('refresh', cfg.paths.refresh, refreshBody(base));
        const next = await parseSession(body, cfg, clock.now(), base);
        // A logout, a login or another tab's session replaced this one meanwhile: it wins.
        if (state.session === base) commit(next);
      });
    } catch (caught) {
      const error = toAuthError(caught);
      if (state.session === base) {
        if (isTransient(error) || error.code === 'auth/invalid_response') {
          failures += 1;
          retryAt = clock.now() + Math.min(RETRY_BASE_MS * 2 ** (failures - 1), RETRY_MAX_MS);
          dispatch({ type: 'refreshing', value: false });
          afterChange(); // arms the timer for the retry
        } else {
          end(reasonFor(error), error);
        }
        report(error);
      }
      throw error;
    } finally {
      // Last, after the `session` or `ended` message: a tab waiting on this refresh must
      // hear its outcome before it stops waiting, or it would spend the token again.
      if (announced) post({ type: 'refresh-settled', from });
    }
  }

  // ---- requests ----

  function url(path: string) {
    return /^[a-z][a-z\d+.-]*:/i.test(path) ? path : cfg.baseUrl + path;
  }

  /** `fetch`, with a failure to get any answer turned into `auth/network`. */
  async function send(request: Request): Promise<Response> {
    // Called unbound, as the global fetch must be: `fetch: window.fetch` is a valid option.
    const { fetch } = cfg;
    try {
      return await fetch(request);
    } catch (cause) {
      throw new AuthError('auth/network', { cause });
    }
  }

  /** POSTs JSON to one of authloop's own endpoints, giving up after the request timeout. */
  function postJson(endpoint: 'login' | 'refresh' | 'logout', path: string, body: unknown, bearer?: string): Promise<unknown> {
    const controller = new AbortController();
    const request = new Request(url(path), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(bearer && { Authorization: `Bearer ${bearer}` }) },
      body: JSON.stringify(body),
      credentials: cfg.credentials,
      signal: controller.signal,
    });
    let timer: TimerHandle | undefined;
    // Raced as well as aborted: a custom fetch may ignore the signal.
    const timeout = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => {
        const cause = new DOMException('The request timed out.', 'TimeoutError');
        controller.abort(cause);
        reject(new AuthError('auth/network', { cause }));
      }, cfg.timeoutMs);
    });
    const answer = send(request).then((response) => readResponse(endpoint, response, config.classifyError));
    return Promise.race([answer, timeout]).finally(() => clock.clearTimeout(timer));
  }

  async function getAccessToken(): Promise<string | null> {
    ensureStarted();
    await restoring;
    const session = state.session;
    if (!session) return null;
    const now = clock.now();
    if (!isExpired(session.expiresAt, now)) {
      if (session.refreshAt !== null && now >= session.refreshAt && retryAt === null) refresh().catch(() => undefined);
      return session.accessToken;
    }
    try {
      await refresh();
    } catch (error) {
      if (!state.session) return null;
      throw error;
    }
    return state.session?.accessToken ?? null;
  }

  function withToken(request: Request, token: string): Request {
    const headers = new Headers(request.headers);
    headers.set('Authorization', `Bearer ${token}`);
    return new Request(request, { headers });
  }

  async function authFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const token = await getAccessToken();
    if (token === null) throw new AuthError('auth/session_expired');
    const request = new Request(typeof input === 'string' ? url(input) : input, init);
    const first = await send(withToken(request.clone(), token));
    if (first.status !== 401) return first;
    // One shared refresh and one retry: a second 401 is the answer, never a loop.
    if (state.session?.accessToken === token) {
      try {
        await refresh();
      } catch {
        return first;
      }
    }
    const next = state.session?.accessToken;
    if (!next || next === token) return first;
    return send(withToken(request, next));
  }

  async function fetchMe(): Promise<TUser> {
    const response = await authFetch(cfg.paths.me, { headers: { Accept: 'application/json' }, credentials: cfg.credentials });
    return parseUser(cfg.userSchema, await readResponse('me', response, config.classifyError), response.status);
  }

  async function login(credentials: Credentials) {
    if (typeof credentials?.username !== 'string' || typeof credentials?.password !== 'string') {
      throw new AuthError('auth/invalid_config', { detail: 'login needs { username, password } as strings.' });
    }
    ensureStarted();
    const body = await postJson('login', cfg.paths.login, { username: credentials.username, password: credentials.password });
    const session = await parseSession(body, cfg, clock.now());
    commit(session);
    return state.snapshot as Extract<AuthSnapshot<TUser>, { status: 'authenticated' }>;
  }

  return {
    getSnapshot() {
      ensureStarted();
      return state.snapshot;
    },
    getServerSnapshot: () => serverSnapshot,
    subscribe(listener) {
      ensureStarted();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    login,
    async logout() {
      ensureStarted();
      await restoring;
      const session = state.session;
      end('logged-out', null);
      // Then tell the server, if it has an endpoint for it. The session is already gone here
      // whatever the server answers; a failure reaches onError.
      if (session && cfg.paths.logout) {
        await postJson('logout', cfg.paths.logout, refreshBody(session), session.accessToken).catch((error: unknown) =>
          report(toAuthError(error)),
        );
      }
    },
    getAccessToken,
    refresh() {
      ensureStarted();
      return (restoring ?? Promise.resolve()).then(refresh);
    },
    fetch: authFetch,
    fetchMe,
    bindQueryClient(queryClient) {
      queryClients.add(queryClient);
      return () => queryClients.delete(queryClient);
    },
    destroy() {
      destroyed = true;
      afterChange(); // stops the timer and the wake-ups
      channel?.close();
      channel = null;
      listeners.clear();
    },
  };
}


