import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createAuthClient, type AuthClient, type AuthClientConfig, type Credentials, type StandardSchemaV1, type userSchema } from '../src/core';
import { createAuthHandlers, createTestClock, type AuthHandlersOptions, type TestClock } from '../src/testing';

export const BASE_URL = 'http://auth.test';
export const MINUTE = 60_000;

export const server = setupServer();

const clients: AuthClient<unknown>[] = [];

/** Starts msw for the file and destroys every client a test made. */
export function startMswServer() {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    clients.splice(0).forEach((client) => client.destroy());
    server.resetHandlers();
  });
  afterAll(() => server.close());
}

export interface Setup {
  clock: TestClock;
  control: ReturnType<typeof createAuthHandlers>['control'];
  makeClient: <TUserSchema extends StandardSchemaV1 = typeof userSchema, TCredentials = Credentials>(
    config?: AuthClientConfig<TUserSchema, TCredentials>,
  ) => AuthClient<StandardSchemaV1.InferOutput<TUserSchema>, TCredentials>;
}

/** A fake server on its own clock (shared with the client unless a test skews it) and a client factory. */
export function setup(options: AuthHandlersOptions & { clock?: TestClock } = {}): Setup {
  const clock = options.clock ?? createTestClock();
  const { handlers, control } = createAuthHandlers({ baseUrl: BASE_URL, clock, ...options });
  server.use(...handlers);
  const makeClient = <TUserSchema extends StandardSchemaV1, TCredentials>(config: AuthClientConfig<TUserSchema, TCredentials> = {}) => {
    // Backoff at the top of its jitter, so a test knows when each retry goes.
    const client = createAuthClient({ baseUrl: BASE_URL, clock, crossTab: false, random: () => 1 - Number.EPSILON, ...config });
    // Mounted as <AuthProvider> would: timer, wake-ups and channel run until the test ends.
    client.mount();
    clients.push(client as AuthClient<unknown>);
    return client;
  };
  return { clock, control, makeClient };
}

export const emily = { username: 'emilys', password: 'emilyspass' };
export const michael = { username: 'michaelw', password: 'michaelwpass' };

/** An unsigned JWT with the given claims: enough for the client, which never verifies signatures. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.sig`;
}
