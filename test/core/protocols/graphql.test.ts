// A GraphQL login is a protocol of its own, written as the README's "Connecting to your
// server" writes it: a GraphQL server answers a failed mutation with 200 and `errors`.
import { HttpResponse, graphql as gql } from 'msw';
import { describe, expect, it } from 'vitest';
import { contract, type AuthProtocol, type Credentials } from '../../../src';
import { BASE_URL, emily, fakeJwt, server, setup, startMswServer } from '../../harness';

startMswServer();

// --- the README's example, as it stands there ---
const LOGIN = `mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) { accessToken refreshToken user { id username email firstName lastName } }
}`;
const REFRESH = `mutation Refresh($refreshToken: String!) { refresh(refreshToken: $refreshToken) { accessToken refreshToken } }`;
const ME = `query Me { me { id username email firstName lastName } }`;

interface GraphQLAnswer {
  data?: Record<string, Record<string, unknown> | null> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const graphqlProtocol: AuthProtocol<Credentials> = {
  login: (credentials) => ({ path: '/graphql', body: { query: LOGIN, variables: credentials } }),
  refresh: (refreshToken) => ({ path: '/graphql', body: { query: REFRESH, variables: { refreshToken } } }),
  me: () => ({ path: '/graphql', method: 'POST', body: { query: ME } }),
  readGrant(endpoint, body) {
    const { data, errors } = body as GraphQLAnswer;
    // A failed mutation is a 200 with `errors`: the error is in the body, not in the status.
    if (errors?.length) {
      const serverCode = errors[0]?.extensions?.code;
      if (serverCode !== 'UNAUTHENTICATED') return { code: 'auth/http', serverCode };
      return { code: endpoint === 'login' ? 'auth/invalid_credentials' : 'auth/refresh_rejected', serverCode };
    }
    const { accessToken, refreshToken, user } = data?.[endpoint] ?? {};
    return { accessToken, refreshToken, user };
  },
  readUser: (body) => (body as GraphQLAnswer).data?.me,
  // Answers that are not 200 (a proxy's 502, a 401 on me) read as the contract reads them.
  readError: contract().readError,
};
// --- end of the README's example ---

const user = { id: 1, username: 'emilys', email: 'emily.johnson@x.example', firstName: 'Emily', lastName: 'Johnson' };

function graphqlServer(now: () => number) {
  const api = gql.link(`${BASE_URL}/graphql`);
  const accessToken = () => fakeJwt({ iat: Math.floor(now() / 1000), exp: Math.floor(now() / 1000) + 900 });
  server.use(
    api.mutation('Login', ({ variables }) =>
      variables.password === emily.password
        ? HttpResponse.json({ data: { login: { accessToken: accessToken(), refreshToken: 'r1', user } } })
        : HttpResponse.json({ data: { login: null }, errors: [{ message: 'Invalid credentials', extensions: { code: 'UNAUTHENTICATED' } }] }),
    ),
    api.query('Me', () => HttpResponse.json({ data: { me: user } })),
  );
}

describe('a GraphQL login, as a protocol', () => {
  it('logs in through the mutation and takes the user from its answer', async () => {
    const { makeClient, clock } = setup();
    graphqlServer(() => clock.now());
    const session = await makeClient({ protocol: graphqlProtocol }).login(emily);
    expect(session).toMatchObject({ status: 'authenticated', user: { firstName: 'Emily' } });
  });

  it('turns a 200 answer with UNAUTHENTICATED errors into auth/invalid_credentials', async () => {
    const { makeClient, clock } = setup();
    graphqlServer(() => clock.now());
    const error = await makeClient({ protocol: graphqlProtocol }).login({ ...emily, password: 'wrong' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'auth/invalid_credentials', status: 200, serverCode: 'UNAUTHENTICATED' });
  });

  it('fetches me through a GraphQL query', async () => {
    const { makeClient, clock } = setup();
    graphqlServer(() => clock.now());
    const client = makeClient({ protocol: graphqlProtocol });
    await client.login(emily);
    await expect(client.fetchMe()).resolves.toEqual(user);
  });
});
