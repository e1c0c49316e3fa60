// The behaviour tests of the engine, against every flavour of server the fake speaks, each
// client configured only through the public options, exactly as the README's "Connecting
// to your server" has it.
import * as z from 'zod/v4/mini';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAuthClient,
  mappedJson,
  oauth2,
  type AuthClient,
  userSchema,
  type AuthClientConfig,
  type Credentials,
  type StandardSchemaV1,
} from '../../src';
import { createAuthHandlers, createTestClock, type FakeFlavour } from '../../src/testing';
import { BASE_URL, MINUTE, server, startMswServer } from '../harness';

startMswServer();

const clients: { destroy(): void }[] = [];
afterEach(() => {
  clients.splice(0).forEach((client) => client.destroy());
  localStorage.clear();
});

interface FlavourSpec<TUserSchema extends StandardSchemaV1, TCredentials> {
  /** The fake server's wire format. */
  flavour: FakeFlavour;
  config: AuthClientConfig<TUserSchema, TCredentials>;
  credentials: TCredentials;
  wrongPassword: TCredentials;
  /** The status the flavour's server answers a wrong password with. */
  wrongPasswordStatus: number;
  /** Whether the flavour's login answer lacks the user, so login asks me. */
  loginAsksMe: boolean;
  firstName(user: StandardSchemaV1.InferOutput<TUserSchema>): string;
}

/** A flavour's fake server and a client factory, its credentials and user read behind one untyped face. */
function flavour<TUserSchema extends StandardSchemaV1 = typeof userSchema, TCredentials = Credentials>(spec: FlavourSpec<TUserSchema, TCredentials>) {
  type TUser = StandardSchemaV1.InferOutput<TUserSchema>;
  return {
    flavour: spec.flavour,
    start() {
      const clock = createTestClock();
      const { handlers, control } = createAuthHandlers({ baseUrl: BASE_URL, clock, accessTokenTtl: 900, flavour: spec.flavour });
      server.use(...handlers);
      const makeClient = (storage: 'memory' | 'localStorage' = 'memory') => {
        // Backoff at the top of its jitter, so a test knows when each retry goes.
        const client = createAuthClient({ ...spec.config, baseUrl: BASE_URL, clock, crossTab: false, random: () => 1 - Number.EPSILON, storage });
        client.mount();
        clients.push(client);
        return {
          client: client as AuthClient<TUser, unknown>,
          login: () => client.login(spec.credentials),
          loginWithWrongPassword: () => client.login(spec.wrongPassword),
          firstName: (user: unknown) => spec.firstName(user as TUser),
        };
      };
      return { clock, control, makeClient };
    },
    wrongPasswordStatus: spec.wrongPasswordStatus,
    loginAsksMe: spec.loginAsksMe,
  };
}

// Every configuration below is the README's, plus the fake server's origin and clock.
const oidcUser = z.looseObject({ sub: z.string(), email: z.string(), given_name: z.string(), family_name: z.string() });
const snakeCaseUser = z.looseObject({ id: z.number(), email: z.string(), first_name: z.string(), last_name: z.string() });

const flavours = [
  flavour({
    flavour: 'contract',
    config: {},
    credentials: { username: 'emilys', password: 'emilyspass' },
    wrongPassword: { username: 'emilys', password: 'wrong' },
    wrongPasswordStatus: 401,
    loginAsksMe: false,
    firstName: (user) => user.firstName,
  }),
  flavour({
    flavour: 'oauth2',
    config: {
      protocol: oauth2({ tokenPath: '/oauth/token', clientId: 'authloop-test', scope: 'openid profile email', mePath: '/oauth/userinfo' }),
      schemas: { user: oidcUser },
    },
    credentials: { username: 'emilys', password: 'emilyspass' },
    wrongPassword: { username: 'emilys', password: 'wrong' },
    wrongPasswordStatus: 400,
    loginAsksMe: true,
    firstName: (user) => user.given_name,
  }),
  flavour({
    flavour: 'mapped-json',
    config: {
      protocol: mappedJson({
        login: { path: '/api/token/', fields: ['email', 'password'] },
        refresh: { path: '/api/token/refresh/', field: 'refresh' },
        me: { path: '/api/me/' },
        answer: { accessToken: 'access', refreshToken: 'refresh' },
        errors: { expired: ['token_expired'] },
      }),
      schemas: { user: snakeCaseUser },
    },
    credentials: { email: 'emily.johnson@x.example', password: 'emilyspass' },
    wrongPassword: { email: 'emily.johnson@x.example', password: 'wrong' },
    wrongPasswordStatus: 401,
    loginAsksMe: true,
    firstName: (user) => user.first_name,
  }),
  flavour({
    flavour: 'mapped-json-data',
    config: {
      protocol: mappedJson({
        login: { path: '/api/v1/session', fields: ['username', 'password', 'otp'], extra: { client_id: 'authloop-test' } },
        refresh: { path: '/api/v1/session/refresh', field: 'refresh_token' },
        me: { path: '/api/v1/me', user: 'data' },
        answer: {
          accessToken: 'data.access_token',
          refreshToken: 'data.refresh_token',
          expires: { path: 'data.expires', unit: 'milliseconds' },
          user: 'data.user',
        },
        errors: { code: 'error.code', expired: ['refresh_token_expired'] },
        opaqueTokens: true,
      }),
    },
    credentials: { username: 'emilys', password: 'emilyspass', otp: '123456' },
    wrongPassword: { username: 'emilys', password: 'wrong', otp: '123456' },
    wrongPasswordStatus: 401,
    loginAsksMe: false,
    firstName: (user) => user.firstName,
  }),
];

describe.each(flavours)('against the $flavour flavour', (spec) => {
  it('logs in, and reports authenticated only with the user', async () => {
    const { makeClient, control } = spec.start();
    const { login, firstName } = makeClient();
    const session = await login();
    expect(session.status).toBe('authenticated');
    expect(firstName(session.user)).toBe('Emily');
    expect(control.counts().me).toBe(spec.loginAsksMe ? 1 : 0);
  });

  it("rejects a wrong password, in the server's own words, as auth/invalid_credentials", async () => {
    const { makeClient } = spec.start();
    const { client, loginWithWrongPassword } = makeClient();
    const error = await loginWithWrongPassword().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'auth/invalid_credentials', status: spec.wrongPasswordStatus });
    expect(client.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null, error: null });
  });

  it("fetches me with the bearer token and keeps it as the session's user", async () => {
    const { makeClient } = spec.start();
    const { client, login, firstName } = makeClient();
    await login();
    const user = await client.fetchMe();
    expect(firstName(user)).toBe('Emily');
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', user });
  });

  it('refreshes once, 14 minutes into a 15-minute token, and never sends an expired one', async () => {
    const { makeClient, control, clock } = spec.start();
    const { client, login } = makeClient();
    await login();
    await clock.advance(14 * MINUTE - 1);
    expect(control.counts().refresh).toBe(0);
    await clock.advance(1);
    expect(control.counts().refresh).toBe(1);
    await client.fetchMe();
    expect(control.expiredAccessTokenRequests()).toBe(0);
  });

  it('follows strict rotation: five refreshes, and no spent refresh token ever sent', async () => {
    const { makeClient, control, clock } = spec.start();
    await makeClient().login();
    for (let i = 0; i < 5; i++) await clock.advance(14 * MINUTE);
    expect(control.counts().refresh).toBe(5);
    expect(control.spentRefreshTokenRequests()).toBe(0);
  });

  it('logs out: signed out with reason logged-out, and nothing is sent afterwards', async () => {
    const { makeClient, control, clock } = spec.start();
    const { client, login } = makeClient();
    await login();
    await client.logout();
    await clock.advance(60 * MINUTE);
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'logged-out' });
    expect(control.counts().refresh).toBe(0);
  });

  it('restores the session in a second client on the same storage, without logging in again', async () => {
    const { makeClient, control } = spec.start();
    const first = makeClient('localStorage');
    await first.login();
    first.client.destroy();
    const reloaded = makeClient('localStorage').client;
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'authenticated' });
    await reloaded.fetchMe();
    expect(control.counts().login).toBe(1);
  });

  it('serves many concurrent callers with one refresh', async () => {
    const { makeClient, control, clock } = spec.start();
    const { client, login } = makeClient();
    await login();
    clock.jump(15 * MINUTE); // asleep past expiry: every caller needs a refresh
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => client.getAccessToken()),
      ...Array.from({ length: 10 }, () => client.fetchMe()),
      ...Array.from({ length: 10 }, () => client.fetch('/api/todos')),
    ]);
    expect(control.counts().refresh).toBe(1);
    expect(new Set(tokens.slice(0, 10)).size).toBe(1);
    expect(control.expiredAccessTokenRequests()).toBe(0);
  });
});
