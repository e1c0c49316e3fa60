import { describe, expectTypeOf, it } from 'vitest';
import { contract, createAuthClient, mappedJson, oauth2, useLogin, type AuthProtocol, type Credentials } from '../src';
import type { CredentialsOf } from '../src/react/AuthContext';

const byEmail = mappedJson({
  login: { path: '/api/token/', fields: ['email', 'password'] },
  refresh: { path: '/api/token/refresh/', field: 'refresh' },
  me: { path: '/api/me/' },
  answer: { accessToken: 'access', refreshToken: 'refresh' },
});
const withCode = mappedJson({
  login: { path: '/login', fields: ['username', 'password', 'otp'] },
  refresh: { path: '/refresh' },
  me: { path: '/me' },
  answer: { accessToken: 'token' },
});

describe('credentials typed by the protocol', () => {
  it('takes { username, password } with the default contract', () => {
    expectTypeOf(createAuthClient().login).parameter(0).toEqualTypeOf<Credentials>();
  });

  it('takes { username, password } with oauth2', () => {
    const client = createAuthClient({ protocol: oauth2({ tokenPath: '/token', clientId: 'web', mePath: '/userinfo' }) });
    expectTypeOf(client.login).parameter(0).toEqualTypeOf<Credentials>();
  });

  it("takes a mapped-JSON protocol's declared fields, with no generic written", () => {
    expectTypeOf(createAuthClient({ protocol: byEmail }).login).parameter(0).toEqualTypeOf<{ email: string; password: string }>();
    expectTypeOf(createAuthClient({ protocol: withCode }).login).parameter(0).toEqualTypeOf<{ username: string; password: string; otp: string }>();
  });

  it('refuses credentials the protocol does not declare', () => {
    const client = createAuthClient({ protocol: byEmail });
    // @ts-expect-error: this protocol logs in with an email, not a username
    void client.login({ username: 'emilys', password: 'emilyspass' });
  });

  it("carries a registered client's credentials into useLogin's variables", () => {
    const client = createAuthClient({ protocol: withCode });
    expectTypeOf(client).toMatchTypeOf<{ login(credentials: { username: string; password: string; otp: string }): unknown }>();
    expectTypeOf<CredentialsOf<typeof client>>().toEqualTypeOf<{ username: string; password: string; otp: string }>();
    // The package's own tests register a contract client (types.test-d.ts).
    expectTypeOf(useLogin().mutate).parameter(0).toEqualTypeOf<Credentials>();
  });

  it('types a hand-written protocol by its login parameter', () => {
    const graphql: AuthProtocol<{ email: string; password: string }> = {
      ...contract(),
      login: ({ email, password }) => ({ path: '/graphql', body: { query: 'mutation', variables: { email, password } } }),
    };
    expectTypeOf(createAuthClient({ protocol: graphql }).login).parameter(0).toEqualTypeOf<{ email: string; password: string }>();
  });
});
