import type { QueryClient } from '@tanstack/query-core';
import { authKeys } from './authKeys';
import type { AuthClient, AuthenticatedSnapshot } from './authClient';
import { resolveConfig, type AuthClientConfig, type Credentials } from './config';
import { AuthError, invalidResponse } from './errors';
import { createAuthFetch } from './authFetch';
import { isThenable } from './maybe';
import { parseSession, parseUser } from './parseSession';
import { createPersistence } from './persistence';
import { createContractProtocol, isTransient, readAnswer, type Grant, type ProtocolRequest } from './protocol';
import { createRefreshCoordinator, type RefreshAnswer } from './refreshCoordinator';
import { createRefreshScheduler } from './refreshScheduler';
import { userSchema as defaultUserSchema, type StandardSchemaV1 } from './schemas';
import { initialState, type EngineState, type SessionRecord } from './sessionState';
import { createSessionStore } from './sessionStore';
import { isExpired, serverDateOf } from './tokens';
import { createTransport, resolveUrl } from './transport';

export type { AuthClient, AuthenticatedSnapshot } from './authClient';

const ignore = () => undefined;

/**
 * Creates the auth engine. Nothing is read or started until first use, so it is safe to
 * call at module scope and during server rendering; `mount()` (the provider does it)
 * starts its timer, wake-ups and tab channel.
 *
 * @example
 * const auth = createAuthClient({ baseUrl: 'https://api.example.com', storage: 'localStorage' });
 * const stop = auth.mount();
 * const token = await auth.getAccessToken();
 */
export function createAuthClient<TUserSchema extends StandardSchemaV1 = typeof defaultUserSchema>(
  options: AuthClientConfig<TUserSchema> = {},
): AuthClient<StandardSchemaV1.InferOutput<TUserSchema>> {
  type TUser = StandardSchemaV1.InferOutput<TUserSchema>;
  const config = resolveConfig(options);
  const { clock, refreshInCookie: cookie } = config;
  const report = (error: AuthError) => {
    try {
      options.onError?.(error);
    } catch {
      // An app's error handler must not break the engine.
    }
  };
  const serverSnapshot = initialState<TUser>(config.storage !== null || cookie).snapshot;
  const queryClients = new Set<QueryClient>(options.queryClient ? [options.queryClient] : []);
  const userId = (user: TUser) => config.getUserId(user);
  const protocol = createContractProtocol({ paths: config.paths, refreshInCookie: cookie, classifyError: options.classifyError });
  const transport = createTransport(config);
  const persistence = createPersistence<TUser>(config.storage, config.storageKey, report);
  let mounts = 0;
  let running = false;
  let destroyed = false;
  let restoring: Promise<void> | null = null;
  let probing: Promise<void> | null = null;

  const store = createSessionStore<TUser>({ snapshot: serverSnapshot, session: null }, onTransition);
  const current = () => store.getState().session;
  const scheduler = createRefreshScheduler({ ...config, onDue });
  const coordinator = createRefreshCoordinator<TUser>({
    ...config,
    store,
    persistence,
    scheduler,
    protocol,
    name: config.storageKey,
    requestRefresh: (base) => post('refresh', protocol.refresh(base?.refreshToken ?? null)),
    readRefresh: async (answer, base) => toSession(await protocol.readGrant('refresh', answer.body), answer, base),
    report,
    isLive: () => !destroyed,
  });
  const authFetch = createAuthFetch({
    ...config,
    getAccessToken,
    currentToken: () => current()?.accessToken ?? null,
    refresh: () => coordinator.refresh(),
    send: async (request) => (await transport.send(request, false)).response,
  });

  const sameUser = (a: TUser, b: TUser) => a === b || (userId(a) !== undefined && userId(a) === userId(b));

  function onTransition(previous: EngineState<TUser>, next: EngineState<TUser>) {
    const before = previous.session;
    // The next user never sees the last user's data.
    if (before && (!next.session || !sameUser(before.user, next.session.user))) {
      for (const queryClient of queryClients) {
        if (options.clearCacheOnLogout) queryClient.clear();
        else {
          void queryClient.cancelQueries({ queryKey: authKeys.all });
          queryClient.removeQueries({ queryKey: authKeys.all });
        }
      }
    }
    scheduler.setDeadline(next.session?.refreshAt ?? null);
  }

  function onDue() {
    const session = current();
    if (!session || !running || coordinator.busy()) return;
    const at = scheduler.dueAt();
    if (at !== null && clock.now() >= at) coordinator.refresh().catch(ignore);
    else scheduler.setDeadline(session.refreshAt); // a capped timer fired early: wait on
  }

  function live() {
    if (destroyed) throw new AuthError('auth/destroyed');
  }

  // Synchronous storage restores at once, so the very first render can be authenticated.
  function restore(): Promise<void> {
    if (restoring) return restoring;
    const read = persistence.read();
    restoring = isThenable(read) ? Promise.resolve(read).then(apply, () => apply(null)) : Promise.resolve(apply(read));
    return restoring;
  }

  function apply(session: SessionRecord<TUser> | null) {
    if (current() || destroyed || store.getState().snapshot.status !== 'loading') return; // a login or another tab got there first
    if (session && !isExpired(session, clock.now())) store.dispatch({ type: 'session', session });
    else if (session && (session.refreshToken !== null || cookie)) store.dispatch({ type: 'session', session, pending: true });
    else if (session) void coordinator.end('expired', null);
    // Nothing stored, with the refresh token in a cookie: `loading` until one silent refresh.
    else if (!cookie) store.dispatch({ type: 'ended', reason: null });
  }

  // What a restored start still owes: the refresh of an expired session, or the cookie probe.
  async function ready(): Promise<void> {
    await restore();
    if (store.getState().snapshot.status !== 'loading') return;
    if (current()) await coordinator.refresh().catch(ignore);
    else await (probing ??= coordinator.probeCookie());
  }

  async function post(endpoint: 'login' | 'refresh' | 'logout', { path, body }: ProtocolRequest, bearer?: string): Promise<RefreshAnswer> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    const request = new Request(resolveUrl(config.baseUrl, path), { method: 'POST', headers, body: JSON.stringify(body), credentials: config.credentials });
    const { response, sentAt } = await transport.send(request, true);
    return { body: await readAnswer(protocol, endpoint, response), sentAt, serverDate: serverDateOf(response) };
  }

  async function fetchUser(send: (request: Request) => Promise<Response>): Promise<TUser> {
    const request = new Request(resolveUrl(config.baseUrl, protocol.me().path), { headers: { Accept: 'application/json' }, credentials: config.credentials });
    const response = await send(request);
    return parseUser(config.userSchema, await readAnswer(protocol, 'me', response), response.status);
  }

  // A login answer without a user asks me with its own access token before reporting `authenticated`.
  async function toSession(grant: Grant, timing: RefreshAnswer, base: SessionRecord<TUser> | null) {
    const session = parseSession(grant, config, timing, base ?? { user: undefined as TUser, refreshToken: null });
    if (base) return session;
    const user = grant.user === undefined ? await userFromMe(grant.accessToken) : await parseUser(config.userSchema, grant.user);
    return { ...session, user };
  }

  function userFromMe(accessToken: string): Promise<TUser> {
    const send = (request: Request) => {
      request.headers.set('Authorization', `Bearer ${accessToken}`);
      return transport.send(request, true).then((answer) => answer.response);
    };
    return fetchUser(send).catch((error: AuthError) => {
      throw isTransient(error) ? error : invalidResponse('the login answer has no user, and GET me refused its access token.', error.issues, error.status);
    });
  }

  async function getAccessToken(): Promise<string | null> {
    live();
    await ready();
    const session = current();
    if (!session) return null;
    const now = clock.now();
    // While a retry waits out its backoff, nobody sends a refresh of their own.
    const backoff = scheduler.backoffError();
    if (!isExpired(session, now)) {
      if (session.refreshAt !== null && now >= session.refreshAt && !backoff) coordinator.refresh().catch(ignore);
      return session.accessToken;
    }
    if (backoff) throw backoff;
    await coordinator.refresh().catch((error: unknown) => {
      if (current()) throw error;
    });
    return current()?.accessToken ?? null;
  }

  function stop() {
    running = false;
    scheduler.stop();
    coordinator.close();
    transport.abortAll();
  }

  return {
    getSnapshot() {
      void restore();
      return store.getState().snapshot;
    },
    getServerSnapshot: () => serverSnapshot,
    subscribe: (listener) => store.subscribe(listener),
    mount() {
      if (destroyed) return ignore;
      mounts += 1;
      if (!running) {
        running = true;
        coordinator.open();
        scheduler.start();
        void ready().then(onDue, ignore);
      }
      let mounted = true;
      return () => {
        if (!mounted) return;
        mounted = false;
        mounts -= 1;
        // Stopped a microtask later: StrictMode's simulated unmount and Fast Refresh mount
        // again at once, and resume with nothing aborted, restored or refreshed twice.
        if (mounts === 0) void Promise.resolve().then(() => mounts === 0 && running && stop());
      };
    },
    async login(credentials: Credentials) {
      live();
      if (typeof credentials?.username !== 'string' || typeof credentials?.password !== 'string') {
        throw new AuthError('auth/invalid_config', { detail: 'login needs { username, password } as strings.' });
      }
      await restore();
      const answer = await post('login', protocol.login(credentials));
      const session = await toSession(await protocol.readGrant('login', answer.body), answer, null);
      live();
      await coordinator.commit(session);
      return store.getState().snapshot as AuthenticatedSnapshot<TUser>;
    },
    async logout() {
      live();
      await restore();
      const session = current();
      await coordinator.end('logged-out', null);
      // Then tell the server, if it has an endpoint for it. The session is already gone here
      // whatever the server answers; a failure reaches onError.
      const request = session && protocol.logout(session.refreshToken);
      if (request) await post('logout', request, session.accessToken).then(ignore, report);
    },
    getAccessToken,
    async refresh() {
      live();
      await restore();
      return coordinator.refresh();
    },
    fetch: async (input, init) => (live(), authFetch(input, init)),
    async fetchMe() {
      live();
      return fetchUser(authFetch);
    },
    getUserId: userId,
    bindQueryClient(queryClient) {
      queryClients.add(queryClient);
      return () => void queryClients.delete(queryClient);
    },
    destroy() {
      destroyed = true;
      stop();
    },
  };
}
