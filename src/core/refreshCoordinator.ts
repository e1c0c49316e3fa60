import type { Clock } from './clock';
import { AuthError, toAuthError } from './errors';
import { nextGeneration, type Lineage } from './lineage';
import type { Persistence } from './persistence';
import { isTransient, type CoordinatorProtocol } from './protocol';
import { markRotated, wasRotated, withLock, yieldToMessages } from './refreshLock';
import type { RefreshScheduler } from './refreshScheduler';
import { sameJson, type EndReason, type SessionRecord } from './sessionState';
import type { SessionStore } from './sessionStore';
import { createStops, STOPPED_FIRST } from './stops';
import { createTabSync, keyOf } from './tabSync';
import { isExpired } from './tokens';
import { isStopped } from './transport';


/** A refresh answer, before it is read. */
export interface RefreshAnswer {
  body: unknown;
  sentAt: number;
  receivedAt: number;
  serverDate?: number | undefined;
}

export interface CoordinatorOptions<TUser> {
  store: SessionStore<TUser>;
  persistence: Persistence<TUser>;
  scheduler: RefreshScheduler;
  protocol: CoordinatorProtocol;
  clock: Clock;
  /** The name of the lock and of the tab channel. */
  name: string;
  crossTab: boolean;
  /** The refresh token travels in an HttpOnly cookie. */
  refreshInCookie: boolean;
  /** How long to wait for another tab's refresh to settle before going ahead. */
  timeoutMs: number;
  /** Sends a refresh of `base` (null: whatever refresh cookie the browser holds). */
  requestRefresh(base: SessionRecord<TUser> | null): Promise<RefreshAnswer>;
  /** Reads a refresh answer into the session that replaces `base` (null: a new session, user from me). */
  readRefresh(answer: RefreshAnswer, base: SessionRecord<TUser> | null): Promise<SessionRecord<TUser>>;
  report(error: AuthError): void;
  /** False once the client is destroyed: nothing is written after that. */
  isLive(): boolean;
  random: () => number;
}

export interface RefreshCoordinator<TUser> {
  /** Refreshes the current session; callers for the same session share one flight. */
  refresh(): Promise<void>;
  /** With nothing stored and the refresh token in a cookie: one silent refresh; refused means signed out. */
  probeCookie(): Promise<void>;
  /** True while a refresh of the current session is in flight. */
  busy(): boolean;
  /** The timer fired or the page woke up: refreshes when the deadline (or a retry) has come. */
  checkDue(): void;
  /**
   * The current access token, refreshed first when it no longer may be sent; `null` when
   * signed out. While a retry waits out its backoff, nobody sends a refresh of their own:
   * an expired token rejects at once with the last failure.
   */
  freshToken(): Promise<string | null>;
  /** Makes `session` the session here and in every tab, and stores it. */
  commit(session: SessionRecord<TUser>): Promise<void>;
  /**
   * Ends the session here and in every tab, and removes it from storage: the current one,
   * or `ended` (a stored session restored too late to use).
   */
  end(reason: EndReason, error: AuthError | null, ended?: Lineage): Promise<void>;
  /** Listens to the other tabs (a client's mount). */
  open(): void;
  /**
   * Keeps the session's user current with me's latest answer: the same user only, and never
   * under a refresh in flight (its answer must still find its session).
   */
  updateUser(user: TUser, sameUser: (a: TUser, b: TUser) => boolean): Promise<void>;
  /** Stops listening, and gives up whatever a refresh inside the lock still waits for. */
  close(): void;
  /** The time of a new login: after every login this tab knows of, so it is the newest in every tab. */
  loginTime(): number;
}

/**
 * One refresh at a time: single flight per session, the refresh lock across tabs, and the
 * messages that let one tab adopt another's rotation instead of spending the token again.
 */
export function createRefreshCoordinator<TUser>(options: CoordinatorOptions<TUser>): RefreshCoordinator<TUser> {
  const { store, scheduler, protocol, clock, name, report, isLive } = options;
  const tabs = createTabSync(options);
  const current = () => store.getState().session;
  const lockName = `authloop:refresh:${name}`;
  let flight: { base: SessionRecord<TUser>; promise: Promise<void> } | null = null;
  // Nothing inside the lock may outlive a stop, mounted or not (a storage adapter that never
  // answers must not hold every later refresh of this realm).
  const stops = createStops();
  const untilStopped = stops.until;

  async function commit(session: SessionRecord<TUser>) {
    // A request that settles after destroy() must not write anything anywhere.
    if (!isLive()) return;
    scheduler.reset();
    store.dispatch({ type: 'session', session });
    await tabs.commit(session);
  }

  async function end(reason: EndReason, error: AuthError | null, lineage = current()?.lineage) {
    if (!isLive()) return;
    scheduler.reset();
    store.dispatch({ type: 'ended', reason, error });
    await tabs.end(lineage, reason);
  }

  // A 200 whose body was refused: the server has rotated already, so the token sent is spent.
  async function spent(base: SessionRecord<TUser>, body: unknown, error: AuthError) {
    // A cookie the browser stored with that answer is the new one: retrying sends it, not the old.
    if (options.refreshInCookie) return scheduler.failed(error);
    const refreshToken = protocol.salvageRefreshToken(body);
    if (!refreshToken) return end('refresh-failed', error);
    await commit({ ...base, refreshToken, lineage: nextGeneration(base.lineage) });
    scheduler.failed(error);
  }

  async function run(base: SessionRecord<TUser>): Promise<void> {
    if (base.refreshToken === null && !options.refreshInCookie) {
      const error = new AuthError('auth/session_expired');
      await end('expired', error);
      throw error;
    }
    const from = keyOf(base.lineage);
    const epoch = stops.epoch();
    const gone = () => current() !== base || !isLive() || stops.epoch() !== epoch;
    let announced = false;
    let stopBeating = () => {};
    let answer: RefreshAnswer | null = null;
    store.dispatch({ type: 'refreshing', value: true });
    const leave = tabs.join();
    const wait = stops.lockWait();
    try {
      // A tab that has just opened (a reload whose restored session is due) first hears the
      // others' answers to its hello: one may hold a newer session, or be refreshing this one.
      if (tabs.connected()) await untilStopped(tabs.introduced());
      if (gone()) return;
      // A Web Lock held by a frozen tab is waited for no longer than a request may take, and
      // not at all once the client stops. Once granted, the task runs to its end: before the
      // request it gives up on a stop (gone()); a request already sent is answered and committed.
      await withLock(lockName, clock, options.timeoutMs, async (shared) => {
        // Another tab may have rotated the tokens while this one waited for the lock. It said
        // so when it took the lock, long before it let go; its new session may still be on
        // the way (memory storage has no other copy), so wait for it rather than spend the
        // token again. Without a shared lock, the tabs claim the refresh first.
        if (tabs.connected()) {
          await yieldToMessages();
          for (;;) {
            await untilStopped(tabs.awaitRemote(from));
            if (gone()) return;
            // The tab that refreshed went quiet without an answer, or nobody did: ours, if the claim agrees.
            if (shared || (await untilStopped(tabs.claim(from)))) break;
          }
          // Granted the lock after a tab that rotated this session, whose message is late: never
          // spend the token again. Ask the tabs for the new session; with none to give, it is over here.
          if (shared && (await untilStopped(wasRotated(lockName, from))) === true && !(await untilStopped(tabs.recover(from, current)))) {
            if (!gone()) await end('other-tab', new AuthError('auth/session_expired', { detail: 'another tab rotated the session; its new tokens never arrived.' }));
            return;
          }
        }
        if (gone()) return;
        const stored = await untilStopped(options.persistence.readLatest());
        // A logout or a login while storage was read, or the client stopped: it wins.
        if (gone() || stored === STOPPED_FIRST) return;
        if (stored && tabs.isAdoptable(stored, base)) {
          scheduler.reset();
          return store.dispatch({ type: 'session', session: stored });
        }
        announced = true;
        stopBeating = tabs.refreshing(from);
        answer = await options.requestRefresh(base);
        const next = await options.readRefresh(answer, base);
        // A logout, a login or another tab's session replaced this one meanwhile: it wins.
        if (current() === base) {
          markRotated(lockName, from, clock);
          await untilStopped(commit(next));
        }
      }, wait.signal);
    } catch (caught) {
      const error = toAuthError(caught);
      if (current() === base && isLive()) {
        if (isStopped(error)) store.dispatch({ type: 'refreshing', value: false });
        else {
          // Answered 2xx (a body that is not JSON, or one that did not read): the token is spent.
          const status = error.status ?? 0;
          const answered = answer !== null || (error.code === 'auth/invalid_response' && status >= 200 && status < 300);
          if (answered) await spent(base, (answer as RefreshAnswer | null)?.body, error);
          else if (isTransient(error) || error.code === 'auth/invalid_response') scheduler.failed(error);
          else await end(protocol.endReason(error), error);
          store.dispatch({ type: 'refreshing', value: false });
          report(error);
        }
      }
      throw error;
    } finally {
      // Last, after the `session` or `ended` message: a tab waiting on this refresh must
      // hear its outcome before it stops waiting, or it would spend the token again.
      wait.done();
      stopBeating();
      if (announced) tabs.settled(from);
      leave();
      // Given up (the client stopped, a stored session came first...) with this session still here: not refreshing any more.
      const { snapshot } = store.getState();
      if (isLive() && current() === base && snapshot.status === 'authenticated' && snapshot.isRefreshing) store.dispatch({ type: 'refreshing', value: false });
    }
  }

  function refresh(): Promise<void> {
    const base = current();
    if (!base) return Promise.reject(new AuthError('auth/session_expired'));
    if (flight?.base === base) return flight.promise;
    const promise = run(base).finally(() => {
      if (flight?.promise === promise) flight = null;
    });
    flight = { base, promise };
    return promise;
  }

  return {
    refresh,
    async probeCookie() {
      const wait = stops.lockWait();
      try {
        await withLock(lockName, clock, options.timeoutMs, async () => {
          wait.done();
          if (current() || !isLive()) return;
          const next = await options.readRefresh(await options.requestRefresh(null), null);
          if (!current()) await commit(next);
        }, wait.signal);
      } catch (caught) {
        const error = toAuthError(caught);
        if (current() || !isLive() || isStopped(error)) return;
        // No cookie, or one the server refused: simply signed out. Anything else is worth showing.
        const refused = error.code === 'auth/refresh_rejected' || error.code === 'auth/session_expired';
        store.dispatch({ type: 'ended', reason: null, error: refused ? null : error });
        if (!refused) report(error);
      } finally {
        wait.done();
      }
    },
    busy: () => flight !== null && flight.base === current(),
    checkDue() {
      const session = current();
      if (!session || (flight !== null && flight.base === session)) return;
      const at = scheduler.dueAt();
      if (at !== null && clock.now() >= at) refresh().catch(() => undefined);
      else scheduler.setDeadline(session.refreshAt); // a capped timer fired early: wait on
    },
    async updateUser(user, sameUser) {
      const session = current();
      if (!session || (flight !== null && flight.base === session) || !sameUser(session.user, user) || sameJson(session.user, user)) return;
      const next = { ...session, user };
      store.dispatch({ type: 'session', session: next });
      await options.persistence.write(next);
    },
    async freshToken() {
      const session = current();
      if (!session) return null;
      const now = clock.now();
      const backoff = scheduler.backoffError();
      if (!isExpired(session, now)) {
        // Due but still good: refresh in the background, answer with the current token.
        if (session.refreshAt !== null && now >= session.refreshAt && !backoff) refresh().catch(() => undefined);
        return session.accessToken;
      }
      if (backoff) throw backoff;
      await refresh().catch((error: unknown) => {
        if (current()) throw error;
      });
      return current()?.accessToken ?? null;
    },
    commit,
    end,
    open() {
      tabs.open();
      void tabs.resync(() => end('other-tab', null));
    },
    close() {
      stops.stop();
      tabs.close();
    },
    loginTime: tabs.loginTime,
  };
}
