import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError, invalidResponse } from '../../src/core/errors';
import { nextGeneration, type Lineage } from '../../src/core/lineage';
import { createPersistence, serializeSession } from '../../src/core/persistence';
import { parseGrant } from '../../src/core/parseSession';
import { answerError, contract, coordinatorView, isRecord, readAnswer } from '../../src/core/protocol';
import { createRefreshCoordinator, type RefreshAnswer, type RefreshCoordinator } from '../../src/core/refreshCoordinator';
import { createRefreshScheduler, type WakeUpSources } from '../../src/core/refreshScheduler';
import type { EngineState, SessionRecord } from '../../src/core/sessionState';
import { createSessionStore } from '../../src/core/sessionStore';
import type { StorageAdapter } from '../../src/core/storage';
import { STOPPED } from '../../src/core/transport';
import { createTestClock, type TestClock } from '../../src/testing/createTestClock';

interface User {
  id: number;
}

const KEY = 'authloop.test';
const TIMEOUT_MS = 30_000;
const LOGIN: Lineage = { login: 'login-1', at: 0, generation: 0 };

/** Session n of one login: access token `a<n>`, refresh token `r<n>`, generation n - 1. */
const sessionOf = (n: number, lineage: Lineage = { ...LOGIN, generation: n - 1 }): SessionRecord<User> => ({
  user: { id: 1 },
  accessToken: `a${n}`,
  refreshToken: `r${n}`,
  expiresAt: null,
  refreshAt: null,
  lineage,
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const noWakeUps: WakeUpSources = { onFocus: () => () => {}, onOnline: () => () => {} };

/** A synchronous adapter over a Map, shared by whichever clients are given it. */
function mapStorage() {
  const map = new Map<string, string>();
  const adapter: StorageAdapter = {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  };
  return { map, adapter };
}

const opened: RefreshCoordinator<User>[] = [];
afterEach(() => opened.splice(0).forEach((coordinator) => coordinator.close()));

let names = 0;

interface SetupOptions {
  storage?: StorageAdapter | null;
  refreshInCookie?: boolean;
  crossTab?: boolean;
  name?: string;
  clock?: TestClock;
  /** This tab's id and claim tickets; distinct per tab. */
  random?: () => number;
  initial?: EngineState<User>;
}

/**
 * A coordinator over the real store, persistence, scheduler and protocol. Each refresh it
 * requests waits on a deferred Response the test settles, read as the engine reads it (a
 * non-2xx rejects with the protocol's error, its end reason beside it); `readRefresh` reads
 * the tokens with the protocol, checks them as the engine does, and keeps the user.
 */
function setup({ storage = null, refreshInCookie = false, crossTab = false, name = `coordinator-${++names}`, clock = createTestClock(), random = () => 0.25, initial }: SetupOptions = {}) {
  const reports: AuthError[] = [];
  const report = (error: AuthError) => void reports.push(error);
  const persistence = createPersistence<User>(storage, KEY, report);
  const scheduler = createRefreshScheduler({ clock, wakeUps: noWakeUps, random: () => 0.5, onDue: () => {} });
  const store = createSessionStore<User>(initial ?? { snapshot: { status: 'loading' }, session: null }, (_previous, next) =>
    scheduler.setDeadline(next.session?.refreshAt ?? null),
  );
  const protocol = contract();
  const requests: Array<{ base: SessionRecord<User> | null; answer: ReturnType<typeof deferred<Response>> }> = [];
  const requestRefresh = vi.fn((base: SessionRecord<User> | null): Promise<RefreshAnswer> => {
    const answer = deferred<Response>();
    requests.push({ base, answer });
    const sentAt = clock.now();
    return answer.promise.then(async (response) => ({ body: await readAnswer(protocol, 'refresh', response), sentAt, receivedAt: clock.now() }));
  });
  const readRefresh = vi.fn(async (answer: RefreshAnswer, base: SessionRecord<User> | null): Promise<SessionRecord<User>> => {
    // As the engine reads a 2xx: a JSON object, the protocol's grant (or the error it carries), then the checks.
    if (!isRecord(answer.body)) throw invalidResponse('expected a JSON object.');
    const read = protocol.readGrant('refresh', answer.body);
    if ('code' in read) throw answerError(read, 200);
    const grant = await parseGrant(read);
    return {
      user: base?.user ?? { id: 2 },
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken ?? base?.refreshToken ?? null,
      expiresAt: null,
      refreshAt: null,
      lineage: base ? nextGeneration(base.lineage) : { login: 'cookie-login', at: clock.now(), generation: 0 },
    };
  });
  let live = true;
  const coordinator = createRefreshCoordinator<User>({
    store,
    persistence,
    scheduler,
    protocol: coordinatorView(protocol),
    clock,
    name,
    crossTab,
    refreshInCookie,
    timeoutMs: TIMEOUT_MS,
    requestRefresh,
    readRefresh,
    report,
    isLive: () => live,
    random,
  });
  /** The server's answer: JSON, 200 unless told. */
  const answerWith = (body: unknown, status = 200) => Response.json(body, { status });
  /** The test's n-th refresh request (from 0), once it has been sent. */
  const request = (index: number) => {
    const sent = requests[index];
    if (!sent) throw new Error(`refresh request ${index} was not sent`);
    return sent;
  };
  /** Signs in without the coordinator: the session a login or a restore would leave. */
  const signIn = (session: SessionRecord<User>) => store.dispatch({ type: 'session', session });
  return {
    clock,
    store,
    scheduler,
    coordinator,
    persistence,
    requestRefresh,
    readRefresh,
    reports,
    request,
    answerWith,
    signIn,
    session: () => store.getState().session,
    snapshot: () => store.getState().snapshot,
    destroy: () => (live = false),
  };
}

/** Settles a promise for the test, whatever its outcome. */
const outcomeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );

describe('single flight', () => {
  it('sends one refresh for two callers of the same session', async () => {
    const { coordinator, clock, signIn, requestRefresh, request, answerWith } = setup();
    signIn(sessionOf(1));
    const both = Promise.all([coordinator.refresh(), coordinator.refresh()]);
    await clock.flush();
    request(0).answer.resolve(answerWith({ accessToken: 'a2', refreshToken: 'r2' }));
    await both;
    expect(requestRefresh).toHaveBeenCalledTimes(1);
  });

  it("hands the second caller the first caller's promise", () => {
    const { coordinator, signIn } = setup();
    signIn(sessionOf(1));
    expect(coordinator.refresh()).toBe(coordinator.refresh());
  });

  it('is busy while a refresh of the current session is in flight, and not after', async () => {
    const { coordinator, clock, signIn, request, answerWith } = setup();
    signIn(sessionOf(1));
    const refreshed = coordinator.refresh();
    await clock.flush();
    const during = coordinator.busy();
    request(0).answer.resolve(answerWith({ accessToken: 'a2', refreshToken: 'r2' }));
    await refreshed;
    expect([during, coordinator.busy()]).toEqual([true, false]);
  });

  it('does not serve a caller with the refresh of session A once the session is B', async () => {
    const { coordinator, clock, signIn, request, answerWith } = setup();
    signIn(sessionOf(1));
    const ofA = coordinator.refresh();
    await clock.flush();
    const b = sessionOf(1, { login: 'login-2', at: 10, generation: 0 }); // another login
    await coordinator.commit(b);
    const ofB = coordinator.refresh();
    expect(ofB).not.toBe(ofA);
    request(0).answer.resolve(answerWith({ accessToken: 'a-late', refreshToken: 'r-late' }));
    await ofA;
    await clock.flush();
    expect(request(1).base).toBe(b);
    request(1).answer.resolve(answerWith({ accessToken: 'b2', refreshToken: 'rb2' }));
    await ofB;
  });

  it('is not busy for session B while the refresh of A is still in flight', async () => {
    const { coordinator, clock, signIn } = setup();
    signIn(sessionOf(1));
    void coordinator.refresh();
    await clock.flush();
    await coordinator.commit(sessionOf(1, { login: 'login-2', at: 10, generation: 0 }));
    expect(coordinator.busy()).toBe(false);
  });

  it("drops A's late answer once the session is B", async () => {
    const { coordinator, clock, signIn, request, answerWith, session } = setup();
    signIn(sessionOf(1));
    const ofA = coordinator.refresh();
    await clock.flush();
    const b = sessionOf(1, { login: 'login-2', at: 10, generation: 0 });
    await coordinator.commit(b);
    request(0).answer.resolve(answerWith({ accessToken: 'a-late', refreshToken: 'r-late' }));
    await ofA;
    expect(session()).toBe(b);
  });
});

describe('a refresh that succeeds', () => {
  it('makes the new session current, a generation on', async () => {
    const { coordinator, clock, signIn, request, answerWith, session } = setup();
    signIn(sessionOf(1));
    const refreshed = coordinator.refresh();
    await clock.flush();
    request(0).answer.resolve(answerWith({ accessToken: 'a2', refreshToken: 'r2' }));
    await refreshed;
    expect(session()).toEqual(sessionOf(2));
  });

  it('shows isRefreshing while in flight', async () => {
    const { coordinator, clock, signIn, snapshot } = setup();
    signIn(sessionOf(1));
    void coordinator.refresh();
    await clock.flush();
    expect(snapshot()).toMatchObject({ status: 'authenticated', isRefreshing: true });
  });

  it('stores the new session', async () => {
    const { map, adapter } = mapStorage();
    const { coordinator, clock, signIn, request, answerWith } = setup({ storage: adapter });
    signIn(sessionOf(1));
    const refreshed = coordinator.refresh();
    await clock.flush();
    request(0).answer.resolve(answerWith({ accessToken: 'a2', refreshToken: 'r2' }));
    await refreshed;
    expect(map.get(KEY)).toBe(serializeSession(sessionOf(2)));
  });

  it('adopts a newer session found in storage instead of spending the refresh token again', async () => {
    const { map, adapter } = mapStorage();
    const { coordinator, signIn, requestRefresh, session } = setup({ storage: adapter });
    signIn(sessionOf(1));
    map.set(KEY, serializeSession(sessionOf(2))); // another tab rotated meanwhile
    await coordinator.refresh();
    expect(requestRefresh).not.toHaveBeenCalled();
    expect(session()).toEqual(sessionOf(2));
  });
});

describe('a logout during a refresh', () => {
  it('wins: the late answer is dropped', async () => {
    const { coordinator, clock, signIn, request, answerWith, snapshot } = setup();
    signIn(sessionOf(1));
    const refreshed = coordinator.refresh();
    await clock.flush();
    await coordinator.end('logged-out', null);
    request(0).answer.resolve(answerWith({ accessToken: 'a2', refreshToken: 'r2' }));
    await outcomeOf(refreshed);
    expect(snapshot()).toEqual({ status: 'unauthenticated', reason: 'logged-out', error: null });
  });

  it('wins in storage too: the late answer is not stored', async () => {
    const { map, adapter } = mapStorage();
    const { coordinator, clock, signIn, request, answerWith } = setup({ storage: adapter });
    signIn(sessionOf(1));
    const refreshed = coordinator.refresh();
    await clock.flush();
    await coordinator.end('logged-out', null);
    request(0).answer.resolve(answerWith({ accessToken: 'a2', refreshToken: 'r2' }));
    await outcomeOf(refreshed);
    expect(map.has(KEY)).toBe(false);
  });

  it('nothing is written once the client is no longer live', async () => {
    const { coordinator, clock, signIn, request, answerWith, session, destroy } = setup();
    signIn(sessionOf(1));
    const refreshed = coordinator.refresh();
    await clock.flush();
    destroy();
    request(0).answer.resolve(answerWith({ accessToken: 'a2', refreshToken: 'r2' }));
    await outcomeOf(refreshed);
    expect(session()).toEqual(sessionOf(1));
  });
});

describe('a refresh that fails', () => {
  /** The refresh is answered with `failure`, a Response, or fails with it, an error of the transport. */
  async function failWith(failure: AuthError | Response, options: SetupOptions = {}) {
    const context = setup(options);
    context.signIn(sessionOf(1));
    const outcome = outcomeOf(context.coordinator.refresh());
    await context.clock.flush();
    if (failure instanceof Response) context.request(0).answer.resolve(failure);
    else context.request(0).answer.reject(failure);
    return { ...context, outcome: await outcome };
  }

  it('backs off on a transient failure', async () => {
    const error = new AuthError('auth/network');
    const { scheduler } = await failWith(error);
    expect(scheduler.backoffError()).toBe(error);
  });

  it('keeps the session through a transient failure, no longer refreshing', async () => {
    const { session, snapshot, outcome } = await failWith(new Response('busy', { status: 503 }));
    expect(outcome).toMatchObject({ code: 'auth/http', status: 503 });
    expect(session()).toEqual(sessionOf(1));
    expect(snapshot()).toMatchObject({ status: 'authenticated', isRefreshing: false });
  });

  it('rejects the callers with a transient failure, and reports it', async () => {
    const error = new AuthError('auth/network');
    const { outcome, reports } = await failWith(error);
    expect(outcome).toBe(error);
    expect(reports).toEqual([error]);
  });

  it.each([
    ['expired', 'auth/refresh_token_expired'],
    ['revoked', 'refresh_token_revoked'],
  ])('ends the session as %s on a rejection whose server code says so', async (reason, serverCode) => {
    const { snapshot, outcome } = await failWith(Response.json({ message: 'Refused', code: serverCode }, { status: 401 }));
    expect(outcome).toMatchObject({ code: 'auth/refresh_rejected', status: 401, serverCode });
    expect(snapshot()).toEqual({ status: 'unauthenticated', reason, error: outcome });
  });

  it('removes the session from storage on a rejection', async () => {
    const { map, adapter } = mapStorage();
    map.set(KEY, serializeSession(sessionOf(1)));
    await failWith(Response.json({ message: 'Refused' }, { status: 401 }), { storage: adapter });
    expect(map.has(KEY)).toBe(false);
  });

  it('keeps the session and reports nothing when the client stopped mid-flight', async () => {
    const { session, reports, scheduler } = await failWith(new AuthError('auth/network', { cause: STOPPED }));
    expect([session(), reports, scheduler.backoffError()]).toEqual([sessionOf(1), [], null]);
  });

  it('ends the session as expired, sending nothing, when it has no refresh token', async () => {
    const { coordinator, signIn, snapshot, requestRefresh } = setup();
    signIn({ ...sessionOf(1), refreshToken: null });
    await outcomeOf(coordinator.refresh());
    expect(snapshot()).toMatchObject({ status: 'unauthenticated', reason: 'expired', error: { code: 'auth/session_expired' } });
    expect(requestRefresh).not.toHaveBeenCalled();
  });

  it('rejects with auth/session_expired, sending nothing, when signed out', async () => {
    const { coordinator, requestRefresh } = setup();
    expect(await outcomeOf(coordinator.refresh())).toMatchObject({ code: 'auth/session_expired' });
    expect(requestRefresh).not.toHaveBeenCalled();
  });
});

describe('a 200 whose body is refused', () => {
  /** The server answers 200 with `body`, which readRefresh refuses: `error` is what it threw. */
  async function refuse(body: unknown, options: SetupOptions = {}) {
    const context = setup(options);
    context.signIn(sessionOf(1));
    const outcome = outcomeOf(context.coordinator.refresh());
    await context.clock.flush();
    context.request(0).answer.resolve(context.answerWith(body));
    const error = (await outcome) as AuthError;
    expect(error).toMatchObject({ code: 'auth/invalid_response' });
    return { ...context, error };
  }

  it('ends the session as refresh-failed when the body holds no refresh token', async () => {
    const { snapshot, error } = await refuse({ accessToken: 42 });
    expect(snapshot()).toEqual({ status: 'unauthenticated', reason: 'refresh-failed', error });
  });

  it('never sends the spent refresh token again', async () => {
    const { coordinator, requestRefresh } = await refuse({ accessToken: 42 });
    await outcomeOf(coordinator.refresh());
    expect(requestRefresh).toHaveBeenCalledTimes(1);
  });

  it('ends the session as refresh-failed for a 2xx that is not JSON', async () => {
    const context = setup();
    context.signIn(sessionOf(1));
    const outcome = outcomeOf(context.coordinator.refresh());
    await context.clock.flush();
    context.request(0).answer.resolve(new Response('<html>', { status: 200 }));
    await outcome;
    expect(context.snapshot()).toMatchObject({ status: 'unauthenticated', reason: 'refresh-failed' });
  });

  it('keeps the session with the refresh token the body still holds', async () => {
    const { session } = await refuse({ refreshToken: 'r2' });
    expect(session()).toMatchObject({ accessToken: 'a1', refreshToken: 'r2' });
  });

  it('backs off after salvaging the refresh token', async () => {
    const { scheduler, error } = await refuse({ refreshToken: 'r2' });
    expect(scheduler.backoffError()).toBe(error);
  });

  it('sends the salvaged refresh token on the next refresh', async () => {
    const { coordinator, clock, request } = await refuse({ refreshToken: 'r2' });
    void coordinator.refresh().catch(() => undefined);
    await clock.flush();
    expect(request(1).base?.refreshToken).toBe('r2');
  });

  it('keeps the session and backs off in cookie mode, where the browser holds the new cookie', async () => {
    const { session, scheduler, error } = await refuse({ accessToken: 42 }, { refreshInCookie: true });
    expect([session(), scheduler.backoffError()]).toEqual([sessionOf(1), error]);
  });
});

describe('probeCookie', () => {
  const cookieSetup = () => setup({ refreshInCookie: true });

  it('asks with whatever cookie the browser holds (no base session)', async () => {
    const { coordinator, clock, request, answerWith } = cookieSetup();
    const probed = coordinator.probeCookie();
    await clock.flush();
    const { base } = request(0);
    request(0).answer.resolve(answerWith({ accessToken: 'c1' }));
    await probed;
    expect(base).toBeNull();
  });

  it('makes the session a valid cookie brings current', async () => {
    const { coordinator, clock, request, answerWith, snapshot } = cookieSetup();
    const probed = coordinator.probeCookie();
    await clock.flush();
    request(0).answer.resolve(answerWith({ accessToken: 'c1' }));
    await probed;
    expect(snapshot()).toMatchObject({ status: 'authenticated', accessToken: 'c1', user: { id: 2 } });
  });

  it('signs out quietly when the cookie is refused: no reason, no error, nothing reported', async () => {
    const { coordinator, clock, request, answerWith, snapshot, reports } = cookieSetup();
    const probed = coordinator.probeCookie();
    await clock.flush();
    request(0).answer.resolve(answerWith({ message: 'Refused' }, 401));
    await probed;
    expect(snapshot()).toEqual({ status: 'unauthenticated', reason: null, error: null });
    expect(reports).toEqual([]);
  });

  it('signs out showing and reporting any other failure', async () => {
    const { coordinator, clock, request, snapshot, reports } = cookieSetup();
    const error = new AuthError('auth/network');
    const probed = coordinator.probeCookie();
    await clock.flush();
    request(0).answer.reject(error);
    await probed;
    expect(snapshot()).toEqual({ status: 'unauthenticated', reason: null, error });
    expect(reports).toEqual([error]);
  });

  it('sends nothing when a session is already there', async () => {
    const { coordinator, signIn, requestRefresh } = cookieSetup();
    signIn(sessionOf(1));
    await coordinator.probeCookie();
    expect(requestRefresh).not.toHaveBeenCalled();
  });
});

// Node's BroadcastChannel (jsdom keeps it) delivers between instances of one process. Where
// there is none, these cases are left to test/browser.
describe.skipIf(typeof BroadcastChannel === 'undefined')('across tabs', () => {
  /** Two tabs on one channel name, each with its own store and memory storage, and their own clocks' timers. */
  async function twoTabs() {
    const clock = createTestClock();
    const name = `tabs-${++names}`;
    const first = setup({ crossTab: true, name, clock, random: () => 0.25 });
    const second = setup({ crossTab: true, name, clock, random: () => 0.75 });
    for (const tab of [first, second]) {
      tab.coordinator.open();
      opened.push(tab.coordinator);
    }
    await clock.flush(); // hello / here
    return { clock, first, second };
  }

  /** Both tabs hold session 1, as after a login in one of them. */
  async function bothSignedIn() {
    const tabs = await twoTabs();
    await tabs.first.coordinator.commit(sessionOf(1));
    await tabs.clock.flush();
    return tabs;
  }

  /** Moves time on in small steps, enough for claims and messages to go round. */
  async function settleTabs(clock: TestClock) {
    for (let i = 0; i < 5; i++) await clock.advance(50);
  }

  it('hands a committed session to the other tab', async () => {
    const { second } = await bothSignedIn();
    expect(second.session()).toEqual(sessionOf(1));
  });

  it("ends the other tab's session of the same login as other-tab", async () => {
    const { clock, first, second } = await bothSignedIn();
    await first.coordinator.end('logged-out', null);
    await clock.flush();
    expect(second.snapshot()).toEqual({ status: 'unauthenticated', reason: 'other-tab', error: null });
  });

  it("hands the rotated session to the other tab, which then does not refresh its own", async () => {
    const { clock, first, second } = await bothSignedIn();
    const refreshes = [first.coordinator.refresh(), second.coordinator.refresh()].map(outcomeOf);
    await settleTabs(clock);
    first.request(0).answer.resolve(first.answerWith({ accessToken: 'a2', refreshToken: 'r2' }));
    await settleTabs(clock);
    await Promise.all(refreshes);
    expect(second.requestRefresh).not.toHaveBeenCalled();
    expect(second.session()).toEqual(sessionOf(2));
  });

  it('hands a salvaged refresh token to the other tab, so neither sends the spent one again', async () => {
    const { clock, first, second } = await bothSignedIn();
    const refreshed = outcomeOf(first.coordinator.refresh());
    await settleTabs(clock);
    first.request(0).answer.resolve(first.answerWith({ refreshToken: 'r2' }));
    await refreshed;
    await clock.flush();
    expect(second.session()?.refreshToken).toBe('r2');
  });

  it('hears nothing once closed', async () => {
    const { clock, first, second } = await bothSignedIn();
    second.coordinator.close();
    await first.coordinator.end('logged-out', null);
    await clock.flush();
    expect(second.session()).toEqual(sessionOf(1));
  });

  it('opens no channel without crossTab', async () => {
    const clock = createTestClock();
    const name = `tabs-${++names}`;
    const first = setup({ crossTab: true, name, clock });
    const second = setup({ crossTab: false, name, clock, random: () => 0.75 });
    for (const tab of [first, second]) {
      tab.coordinator.open();
      opened.push(tab.coordinator);
    }
    await first.coordinator.commit(sessionOf(1));
    await clock.flush();
    expect(second.session()).toBeNull();
  });
});
