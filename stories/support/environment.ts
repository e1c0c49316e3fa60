import { QueryClient } from '@tanstack/react-query';
import { createAuthClient, DEFAULT_REFRESH_LEEWAY_MS, systemClock, type AuthClient, type Clock, type Credentials } from '../../src';
import { createAuthHandlers, createTestClock, type AuthHandlersControl, type TestClock } from '../../src/testing';
import { createTimelineRecorder, type TimelineRecorder } from '../demo/timelineRecorder';

/** How a story wants its world set up; given as `parameters.demo`. Every field is optional. */
export interface DemoParameters {
  /**
   * `'test'` (default): a manual clock shared by the client and the fake server; time moves
   * only when the play function or the visitor's buttons advance it, so a story can show
   * a 14-minute token lifetime in a millisecond. `'system'`: real time.
   */
  clock?: 'test' | 'system';
  /** Access token lifetime in seconds (fake server). Default 900, the contract's 15 minutes. */
  accessTokenTtl?: number;
  /** Refresh token lifetime in seconds (fake server). Default: the server's 7 days. */
  refreshTokenTtl?: number;
  /** Sign in over HTTP before the story renders. */
  signedIn?: boolean;
  /**
   * A previous page load signed in with `storage: 'localStorage'` and was closed: the story's
   * client starts from what that page left behind.
   */
  restoredFromStorage?: boolean;
  /** Render under `<StrictMode>`. */
  strict?: boolean;
}

/** Everything one story owns: a fresh fake server, a fresh client, a fresh cache. */
export interface DemoEnvironment {
  client: AuthClient;
  queryClient: QueryClient;
  /** The fake server's steering wheel: failures, latency, request counts. */
  control: AuthHandlersControl;
  handlers: ReturnType<typeof createAuthHandlers>['handlers'];
  /** The clock both sides read. */
  clock: Clock;
  /** The same clock when it is a manual one; `null` in real time. */
  testClock: TestClock | null;
  /** `clock.now()` when the story started: the timeline's zero. */
  startedAt: number;
  /** Every session change from the client's first moment, for the token timeline. */
  timeline: TimelineRecorder;
  storageKey: string;
  persistent: boolean;
  strict: boolean;
  /** Moves the manual clock; throws in a real-time story, where only waiting would do. */
  advance(ms: number): Promise<void>;
  destroy(): void;
}

/** The demo account of the fake server. */
export const DEMO_USER: Credentials = { username: 'emilys', password: 'emilyspass' };

/** The default key of `createAuthClient`: the restored story shows what a real app stores. */
export const DEFAULT_STORAGE_KEY = 'authloop.session';

// The refresh lock is named after the storage key and lives as long as the page. A story
// whose server holds a refresh forever (to show "refreshing") must not block the next
// story's refresh, so every other story gets a key of its own.
let environments = 0;

/**
 * Builds one story's world. The server's handlers are returned, not installed: the caller
 * hands them to msw. `prepare` finishes the set-up that needs HTTP (a prior sign-in).
 */
export function createDemoEnvironment(parameters: DemoParameters = {}) {
  const testClock = parameters.clock === 'system' ? null : createTestClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const clock: Clock = testClock ?? systemClock;
  const persistent = parameters.restoredFromStorage === true;
  environments += 1;
  const storageKey = persistent ? DEFAULT_STORAGE_KEY : `authloop.demo.${environments}.${Date.now().toString(36)}`;
  const { handlers, control } = createAuthHandlers({
    baseUrl: '',
    clock,
    accessTokenTtl: parameters.accessTokenTtl ?? 900,
    refreshTokenTtl: parameters.refreshTokenTtl,
    refreshTokenFrom: 'body',
  });
  const clientConfig = {
    baseUrl: '',
    clock,
    crossTab: false,
    storageKey,
    storage: persistent ? ('localStorage' as const) : ('memory' as const),
    refreshLeewayMs: DEFAULT_REFRESH_LEEWAY_MS,
  };
  const queryClient = new QueryClient();
  let client: AuthClient | null = null;
  let detachTimeline: (() => void) | null = null;

  const environment = {
    handlers,
    control,
    clock,
    testClock,
    startedAt: clock.now(),
    timeline: createTimelineRecorder(clock, clientConfig.refreshLeewayMs),
    storageKey,
    persistent,
    strict: parameters.strict === true,
    queryClient,
    async advance(ms: number) {
      if (!testClock) throw new Error('This story runs in real time; advance() needs the test clock.');
      await testClock.advance(ms);
    },
    destroy() {
      detachTimeline?.();
      client?.destroy();
      queryClient.clear();
      if (persistent) localStorage.removeItem(storageKey);
    },
  };

  /** Runs once msw serves the handlers; resolves with the story's environment. */
  async function prepare(): Promise<DemoEnvironment> {
    if (persistent) {
      localStorage.removeItem(storageKey);
      // "The previous page load": its own client signs in, writes the session, and goes away.
      const previousPage = createAuthClient(clientConfig);
      await previousPage.login(DEMO_USER);
      previousPage.destroy();
      // Whatever that page sent is not this page's traffic.
      control.reset();
    }
    client = createAuthClient(clientConfig);
    detachTimeline = environment.timeline.attach(client);
    if (parameters.signedIn) await client.login(DEMO_USER);
    return { ...environment, client };
  }

  return { handlers, prepare, destroy: environment.destroy };
}
