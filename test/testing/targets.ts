// The two adapters of the fake auth server behind one shape, so a test can run against
// either and compare them: msw handlers (in process) and the node:http reference server
// (over real sockets on 127.0.0.1).
import type { SetupServer } from 'msw/node';
import { createAuthHandlers } from '../../src/testing/createAuthHandlers';
import { createTestClock, type TestClock } from '../../src/testing/createTestClock';
import type { AuthHandlersControl, FakeAuthServerOptions } from '../../src/testing/fakeAuthTypes';
import type { FakeEndpoint } from '../../src/testing/routes';
import { startAuthServer, type AuthServer, type AuthServerOptions } from '../../src/testing/startAuthServer';

/** One fake server, whichever adapter serves it. */
export interface Target {
  clock: TestClock;
  control: AuthHandlersControl;
  urls: Record<FakeEndpoint, string>;
  /** The URL of an admin route, e.g. `admin('/__admin/counts')`. */
  admin(path: string): string;
  /**
   * Resolves when the server next sets a timer on its clock. Call it before sending the
   * request: over real sockets, the request reaches the server at a time no flush knows.
   */
  nextTimer(): Promise<void>;
}

/** Starts a fresh fake server on one adapter. */
export type StartTarget = (options?: TargetOptions) => Promise<Target>;

/** The options both adapters take, less the clock, which the target makes. */
export type TargetOptions = Omit<FakeAuthServerOptions, 'clock'> & Pick<AuthServerOptions, 'paths'>;

/** A test clock that reports each timer it is given. */
export function observedClock(): { clock: TestClock; nextTimer: () => Promise<void> } {
  const clock = createTestClock();
  let waiting: (() => void)[] = [];
  const observed: TestClock = {
    ...clock,
    setTimeout(callback, ms) {
      const handle = clock.setTimeout(callback, ms);
      const resolvers = waiting;
      waiting = [];
      for (const resolve of resolvers) resolve();
      return handle;
    },
  };
  return { clock: observed, nextTimer: () => new Promise((resolve) => waiting.push(resolve)) };
}

/** msw handlers, each server on a host of its own so msw's cookie jar never mixes them. */
export function mswTarget(msw: SetupServer): StartTarget {
  let hosts = 0;
  return async (options = {}) => {
    hosts += 1;
    const baseUrl = `http://adapter${hosts}.test`;
    const { clock, nextTimer } = observedClock();
    const { handlers, control, urls } = createAuthHandlers({ ...options, baseUrl, clock, adminRoutes: true });
    msw.use(...handlers);
    return { clock, control, urls, admin: (path) => baseUrl + path, nextTimer };
  };
}

/** node:http servers on 127.0.0.1, every one closed by `closeAll`. */
export function nodeTarget(): { start: StartTarget; closeAll: () => Promise<void> } {
  const running: AuthServer[] = [];
  return {
    async start(options = {}) {
      const { clock, nextTimer } = observedClock();
      const server = await startAuthServer({ ...options, clock });
      running.push(server);
      return { clock, control: server.control, urls: server.urls, admin: (path) => server.url + path, nextTimer };
    },
    closeAll: async () => {
      await Promise.all(running.splice(0).map((server) => server.close()));
    },
  };
}

/** POSTs `body` as JSON. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** GETs `url`, with a bearer token when given one. */
export function getWithToken(url: string, token?: string): Promise<Response> {
  return fetch(url, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } });
}
