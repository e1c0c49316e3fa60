import type { Clock } from './clock';
import { SERVER_LINEAGE } from './lineage';
import { isThenable } from './maybe';
import type { Persistence } from './persistence';
import type { RefreshCoordinator } from './refreshCoordinator';
import { initialState, sessionReducer, type AuthSnapshot, type EngineState, type SessionRecord } from './sessionState';
import type { SessionStore } from './sessionStore';
import { isExpired } from './tokens';

export interface SessionRestoreOptions<TUser> {
  store: SessionStore<TUser>;
  persistence: Persistence<TUser>;
  coordinator: RefreshCoordinator<TUser>;
  clock: Clock;
  /** The refresh token is in an HttpOnly cookie: with nothing stored, one silent refresh may restore. */
  refreshInCookie: boolean;
  /** The session a server render started from (`initialSession`), without tokens; storage may still replace it. */
  seed: SessionRecord<TUser> | null;
  sameUser(a: TUser, b: TUser): boolean;
}

// What a server-rendered session holds besides its user: no token yet, expired at once so
// the first request refreshes (through the cookie), and one lineage for every tab seeded so.
const SEED = { accessToken: '', refreshToken: null, expiresAt: 0, refreshAt: 0, lineage: SERVER_LINEAGE };

/**
 * A client's first state: what a server render knew (`initialSession`: the user only, no
 * token; the first refresh brings one), or `loading` while storage or a cookie may restore.
 */
export function startingState<TUser>(initialSession: { user: TUser } | null | undefined, restorable: boolean) {
  const seed: SessionRecord<TUser> | null = initialSession ? { user: initialSession.user, ...SEED } : null;
  const initial: EngineState<TUser> =
    initialSession === undefined
      ? initialState<TUser>(restorable)
      : sessionReducer(initialState<TUser>(false), seed ? { type: 'session', session: seed } : { type: 'ended', reason: null });
  return { seed, initial };
}

/** The start of a client: what storage holds, then what that still owes (a refresh, the cookie probe). */
export function createSessionRestore<TUser>(options: SessionRestoreOptions<TUser>) {
  const { store, persistence, coordinator, clock, refreshInCookie, seed } = options;
  let restoring: Promise<void> | null = null;
  let probing: Promise<void> | null = null;
  let whenReady: Promise<Exclude<AuthSnapshot<TUser>, { status: 'loading' }>> | null = null;
  const loading = () => store.getState().snapshot.status === 'loading';

  function apply(session: SessionRecord<TUser> | null) {
    const seeded = seed !== null && store.getState().session === seed;
    // A login or another tab got there first; a server-rendered seed stays unless storage has
    // the same user's tokens: another user's leftover session is not this page's, and goes.
    if (seeded && session && !options.sameUser(session.user, seed.user)) return void persistence.write(null);
    if (seeded ? !session : store.getState().session || !loading()) return;
    const refreshable = session && (session.refreshToken !== null || refreshInCookie);
    if (session && (!isExpired(session, clock.now()) || (seeded && refreshable))) store.dispatch({ type: 'session', session });
    else if (session && refreshable) store.dispatch({ type: 'session', session, pending: true });
    else if (session) void coordinator.end('expired', null, session.lineage);
    // Nothing stored, with the refresh token in a cookie: `loading` until one silent refresh.
    else if (!refreshInCookie) store.dispatch({ type: 'ended', reason: null });
  }

  /** Reads storage once; a synchronous storage restores at once, so the first render can be authenticated. */
  function restore(): Promise<void> {
    if (restoring) return restoring;
    const read = persistence.read();
    restoring = isThenable(read) ? Promise.resolve(read).then(apply, () => apply(null)) : Promise.resolve(apply(read));
    return restoring;
  }

  /** Restores, then settles what a restored start owes: the refresh of an expired session, or the cookie probe. */
  async function ready(): Promise<void> {
    await restore();
    if (!loading()) return;
    if (store.getState().session) await coordinator.refresh().catch(() => undefined);
    // A probe the client's stop gave up on leaves `loading`: the next start probes again.
    else await (probing ??= coordinator.probeCookie().finally(() => void (loading() && (probing = null))));
  }

  /** Settles once the status is no longer `loading`, with that snapshot; the same promise every time (for Suspense). */
  function ready_(): Promise<Exclude<AuthSnapshot<TUser>, { status: 'loading' }>> {
    return (whenReady ??= new Promise((resolve) => {
      const check = () => {
        const { snapshot } = store.getState();
        if (snapshot.status === 'loading') return false;
        resolve(snapshot);
        return true;
      };
      void ready();
      if (check()) return;
      const unsubscribe = store.subscribe(() => check() && unsubscribe());
    }));
  }

  return { restore, ready, whenReady: ready_ };
}
