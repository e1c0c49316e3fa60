import type { AuthClient, AuthenticatedSnapshot } from './authClient';
import { createAuthEvents } from './authEvents';
import { createAuthFetch } from './authFetch';
import { createAuthRequests } from './authRequests';
import { resolveConfig, type AuthClientConfig, type Credentials } from './config';
import { AuthError } from './errors';
import { createLifetime } from './lifetime';
import { createPersistence } from './persistence';
import { createQueryCleanup } from './queryCleanup';
import { coordinatorView } from './protocol';
import { createRefreshCoordinator } from './refreshCoordinator';
import { createRefreshScheduler } from './refreshScheduler';
import { userSchema as defaultUserSchema, type StandardSchemaV1 } from './schemas';
import { createSessionRestore, startingState } from './sessionRestore';
import type { EngineState } from './sessionState';
import { createSessionStore } from './sessionStore';
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
 * const unmount = auth.mount();
 * const token = await auth.getAccessToken();
 */
export function createAuthClient<TUserSchema extends StandardSchemaV1 = typeof defaultUserSchema, TCredentials = Credentials>(
  options: AuthClientConfig<TUserSchema, TCredentials> = {},
): AuthClient<StandardSchemaV1.InferOutput<TUserSchema>, TCredentials> {
  type TUser = StandardSchemaV1.InferOutput<TUserSchema>;
  const config = resolveConfig(options);
  const { getUserId, protocol } = config;
  let destroyed = false;
  const { sameUser } = config;
  const events = createAuthEvents<TUser>(sameUser, options.onError);
  const report = events.report;
  const { seed, initial } = startingState<TUser>(options.initialSession, config.storage !== null || config.refreshInCookie);
  const serverSnapshot = initial.snapshot;
  const queries = createQueryCleanup(options.queryClient, options.clearCacheOnLogout);
  const transport = createTransport(config);
  const requests = createAuthRequests<TUser>({ ...config, transport, loginTime: (): number => coordinator.loginTime() });
  const persistence = createPersistence<TUser>(config.storage, config.storageKey, report);
  const store = createSessionStore<TUser>(initial, onTransition);
  const current = () => store.getState().session;
  const scheduler = createRefreshScheduler({ ...config, onDue });
  const coordinator = createRefreshCoordinator<TUser>({
    ...config,
    store,
    persistence,
    scheduler,
    protocol: coordinatorView(protocol),
    name: config.storageKey,
    requestRefresh: requests.refresh,
    readRefresh: (answer, base) => requests.readSession('refresh', answer, base),
    report,
    isLive: () => !destroyed,
  });
  const { restore, ready, whenReady } = createSessionRestore({ ...config, store, persistence, coordinator, seed, sameUser });
  // Unmounted: no timer, no listener, no channel, nothing in flight but a refresh already
  // sent (its answer holds the only copy of the rotated tokens); the state stays. Destroyed: nothing at all.
  const stop = (unmounting: boolean) => {
    scheduler.stop();
    coordinator.close();
    transport.abortAll(unmounting);
  };
  const lifetime = createLifetime(() => {
    coordinator.open();
    scheduler.start();
    void ready().then(onDue, ignore);
  }, () => stop(true));
  const authFetch = createAuthFetch({
    ...config,
    // Me is the engine's own request: its origin sees the bearer token wherever it is.
    allowedOrigins: [...config.allowedOrigins, resolveUrl(config.baseUrl, protocol.me().path)],
    getAccessToken,
    currentToken: () => current()?.accessToken ?? null,
    refresh: () => coordinator.refresh(),
    send: async (request) => (await transport.send(request, false)).response,
  });


  function onTransition(previous: EngineState<TUser>, next: EngineState<TUser>) {
    // The next user never sees the last user's data.
    if (previous.session && (!next.session || !sameUser(previous.session.user, next.session.user))) queries.clear();
    scheduler.setDeadline(next.session?.refreshAt ?? null);
    events.transition(previous, next);
  }

  // The timer or a wake-up: refresh if due, while mounted.
  function onDue() {
    if (lifetime.running()) coordinator.checkDue();
  }

  // Every call after destroy() rejects at once and sends nothing.
  function live() {
    if (destroyed) throw new AuthError('auth/destroyed');
  }

  async function getAccessToken(): Promise<string | null> {
    live();
    await ready();
    return coordinator.freshToken();
  }

  return {
    getSnapshot() {
      void restore();
      return store.getState().snapshot;
    },
    getServerSnapshot: () => serverSnapshot,
    subscribe: store.subscribe,
    mount: () => (destroyed ? ignore : lifetime.mount()),
    async login(credentials: TCredentials) {
      live();
      await restore();
      const session = await requests.login(credentials);
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
      if (session) await requests.logout(session).then(ignore, report);
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
      const user = await requests.fetchUser(authFetch);
      await coordinator.updateUser(user, sameUser);
      return user;
    },
    getUserId,
    whenReady,
    on: events.on,
    bindQueryClient: queries.bind,
    destroy() {
      destroyed = true;
      stop(false);
      // Nothing will restore now: whoever waits on whenReady() hears that it is over.
      if (store.getState().snapshot.status === 'loading') store.dispatch({ type: 'ended', reason: null });
    },
  };
}
