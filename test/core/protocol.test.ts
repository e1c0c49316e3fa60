import { describe, expect, it } from 'vitest';
import { createAuthRequests } from '../../src/core/authRequests';
import { DEFAULT_PATHS } from '../../src/core/config';
import { AuthError, InvalidCredentialsError, createAuthError, type AuthErrorCode } from '../../src/core/errors';
import { parseGrant } from '../../src/core/parseSession';
import {
  answerError,
  contract,
  coordinatorView,
  defaultErrorCode,
  isTransient,
  readAnswer,
  withClassifier,
  type AuthEndpoint,
  type ContractOptions,
  type ErrorClassifier,
  type ErrorResponseInfo,
} from '../../src/core/protocol';
import { userSchema } from '../../src/core/schemas';
import type { SessionRecord } from '../../src/core/sessionState';
import { createTestClock } from '../../src/testing/createTestClock';

const bodyProtocol = (options: ContractOptions = {}) => contract(options);

/** What an error reader is shown of a failed answer (no headers worth reading here). */
const info = (endpoint: AuthEndpoint, status: number, body: unknown = null): ErrorResponseInfo => ({ endpoint, status, body, headers: new Headers() });

/** A 2xx answer as the engine reads it: the protocol's grant, then the engine's checks of it. */
async function grantOf(endpoint: 'login' | 'refresh', body: Record<string, unknown>) {
  const read = bodyProtocol().readGrant(endpoint, body);
  if ('code' in read) throw answerError(read, 200);
  return parseGrant(read);
}

/** The rejection of a promise, as an AuthError; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<AuthError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(AuthError);
  return outcome as AuthError;
}

const session: SessionRecord<unknown> = {
  user: { id: 1 },
  accessToken: 'a1',
  refreshToken: 'r1',
  expiresAt: null,
  refreshAt: null,
  lineage: { login: 'login-1', at: 0, generation: 0 },
};

/**
 * The engine's requests over the contract, with a transport that records what it is given
 * and answers 200 `{}`. Where the refresh token travels is the engine's choice, not the protocol's.
 */
function engineRequests({ refreshInCookie = false, paths }: { refreshInCookie?: boolean; paths?: ContractOptions['paths'] } = {}) {
  const sent: Request[] = [];
  const requests = createAuthRequests<unknown>({
    baseUrl: 'https://api.test',
    credentials: 'same-origin',
    refreshInCookie,
    protocol: contract({ paths }),
    transport: {
      send: async (request) => (sent.push(request), { response: Response.json({}), sentAt: 0 }),
      abortAll: () => {},
    },
    clock: createTestClock(),
    random: () => 0.5,
    loginTime: () => 0,
    userSchema,
    leewayMs: 0,
    opaqueTokens: true,
  });
  /** The JSON body of the n-th request sent. */
  const bodyOf = (index: number) => sent[index]!.json();
  return { requests, sent, bodyOf };
}

describe('requests', () => {
  it('sends the credentials to the login path', () => {
    expect(bodyProtocol().login({ username: 'emilys', password: 'pw' })).toEqual({ path: '/auth/login', body: { username: 'emilys', password: 'pw' } });
  });

  it('sends the refresh token in the body of a body refresh', () => {
    expect(bodyProtocol().refresh('r1')).toEqual({ path: '/auth/refresh', body: { refreshToken: 'r1' } });
  });

  it('sends an empty body for a cookie refresh, whatever token it is given', async () => {
    const { requests, sent, bodyOf } = engineRequests({ refreshInCookie: true });
    await requests.refresh(session);
    expect([sent[0]!.url, await bodyOf(0)]).toEqual(['https://api.test/auth/refresh', {}]);
  });

  it('sends an empty body for a refresh with no token (the cookie probe)', () => {
    expect(bodyProtocol().refresh(null)).toEqual({ path: '/auth/refresh', body: {} });
  });

  it('takes the paths it is given', () => {
    const protocol = bodyProtocol({ paths: { login: '/v2/signin', refresh: '/v2/token', me: '/v2/whoami' } });
    expect([protocol.login({ username: 'u', password: 'p' }).path, protocol.refresh('r').path, protocol.me().path]).toEqual(['/v2/signin', '/v2/token', '/v2/whoami']);
  });

  it('asks me with a GET of no body', () => {
    expect(bodyProtocol().me()).toEqual({ path: '/auth/me' });
  });

  it('has no logout request without a logout path', () => {
    expect(bodyProtocol().logout!({ accessToken: 'a1', refreshToken: 'r1' })).toBeNull();
  });

  it('sends the refresh token to the logout path when there is one', () => {
    expect(bodyProtocol({ paths: { ...DEFAULT_PATHS, logout: '/auth/logout' } }).logout!({ accessToken: 'a1', refreshToken: 'r1' })).toEqual({
      path: '/auth/logout',
      body: { refreshToken: 'r1' },
      headers: { Authorization: 'Bearer a1' },
    });
  });

  it('sends an empty logout body when the refresh token is in a cookie', async () => {
    const { requests, sent, bodyOf } = engineRequests({ refreshInCookie: true, paths: { logout: '/auth/logout' } });
    await requests.logout(session);
    expect([sent[0]!.url, await bodyOf(0)]).toEqual(['https://api.test/auth/logout', {}]);
  });
});

describe('readGrant', () => {
  it('reads a login answer with user fields: the tokens, and the user as the fields they leave', async () => {
    const body = { id: 1, username: 'emilys', email: 'e@x.test', accessToken: 'a1', refreshToken: 'r1', expiresIn: 900 };
    expect(await grantOf('login', body)).toEqual({
      accessToken: 'a1',
      refreshToken: 'r1',
      expiresIn: 900,
      user: { id: 1, username: 'emilys', email: 'e@x.test' },
    });
  });

  it('leaves the user undefined for a login answer of tokens only (ask me)', async () => {
    expect((await grantOf('login', { accessToken: 'a1', refreshToken: 'r1', expiresIn: 900 })).user).toBeUndefined();
  });

  it('reads a refresh answer with a new refresh token', async () => {
    expect(await grantOf('refresh', { accessToken: 'a2', refreshToken: 'r2' })).toEqual({ accessToken: 'a2', refreshToken: 'r2', expiresIn: undefined, user: undefined });
  });

  it('leaves the refresh token undefined for a refresh answer without one (keep the current one)', async () => {
    expect((await grantOf('refresh', { accessToken: 'a2' })).refreshToken).toBeUndefined();
  });

  it('never takes a user from a refresh answer', async () => {
    expect((await grantOf('refresh', { accessToken: 'a2', id: 2, username: 'someone-else' })).user).toBeUndefined();
  });

  // The engine refuses these before the protocol sees them: readGrant is given JSON objects only.
  it.each([
    ['not an object', 'a1'],
    ['an array', [{ accessToken: 'a1' }]],
    ['null', null],
  ])('refuses a body that is %s as auth/invalid_response', async (_label, body) => {
    const { requests } = engineRequests();
    const error = await rejectionOf(requests.readSession('refresh', { body, sentAt: 0, receivedAt: 0 }, session));
    expect(error.code).toBe('auth/invalid_response');
  });

  it.each([
    ['no access token', { refreshToken: 'r2' }],
    ['an empty access token', { accessToken: '' }],
    ['a numeric access token', { accessToken: 42 }],
    ['an empty refresh token', { accessToken: 'a2', refreshToken: '' }],
    ['expiresIn of 0', { accessToken: 'a2', expiresIn: 0 }],
  ])('refuses an answer with %s as auth/invalid_response, with the issues', async (_label, body) => {
    const error = await rejectionOf(grantOf('refresh', body));
    expect([error.code, error.issues.length > 0]).toEqual(['auth/invalid_response', true]);
  });

  it('names the path of a malformed field in its issues, never its value', async () => {
    const error = await rejectionOf(grantOf('refresh', { accessToken: 'a2', expiresIn: 'leaky-secret' }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['expiresIn']);
    expect(JSON.stringify(error)).not.toContain('leaky-secret');
  });
});

describe('salvageRefreshToken', () => {
  // As the coordinator reads it.
  const { salvageRefreshToken } = coordinatorView(bodyProtocol());

  it('finds the refresh token in an answer refused as a whole', () => {
    expect(salvageRefreshToken({ refreshToken: 'r2', accessToken: 42 })).toBe('r2');
  });

  it.each([
    ['no refresh token', { accessToken: 'a2' }],
    ['an empty refresh token', { refreshToken: '' }],
    ['a refresh token that is not a string', { refreshToken: 7 }],
    ['a body that is not an object', 'r2'],
    ['no body', undefined],
  ])('finds nothing in %s', (_label, body) => {
    expect(salvageRefreshToken(body)).toBeUndefined();
  });
});

describe('readError', () => {
  it('keeps the default code when the classifier answers undefined', () => {
    const protocol = withClassifier(bodyProtocol(), () => undefined);
    expect(protocol.readError(info('refresh', 401)).code).toBe('auth/refresh_rejected');
  });

  it("takes the classifier's code when an answer can mean it", () => {
    const classifyError: ErrorClassifier = ({ endpoint, status }) => (endpoint === 'login' && status === 400 ? 'auth/invalid_credentials' : undefined);
    expect(withClassifier(bodyProtocol(), classifyError).readError(info('login', 400)).code).toBe('auth/invalid_credentials');
  });

  it.each<[string, AuthErrorCode]>([
    ['auth/storage', 'auth/storage'],
    ['auth/invalid_config', 'auth/invalid_config'],
    ['auth/destroyed', 'auth/destroyed'],
    ['a string the types do not know', 'auth/teapot' as AuthErrorCode],
  ])('turns a classifier answer of %s, which no HTTP answer can mean, into auth/http', (_label, code) => {
    const protocol = withClassifier(bodyProtocol(), () => code);
    expect(answerError(protocol.readError(info('me', 500)), 500).code).toBe('auth/http');
  });

  it('shows the classifier the endpoint, the status, the body and the headers of the answer, and nothing of the request', async () => {
    const seen: ErrorResponseInfo[] = [];
    const protocol = withClassifier(bodyProtocol(), (shown) => void seen.push(shown));
    const answer = Response.json({ message: 'no' }, { status: 418, headers: { 'WWW-Authenticate': 'Bearer' } });
    await rejectionOf(readAnswer(protocol, 'login', answer));
    expect(seen).toEqual([{ endpoint: 'login', status: 418, body: { message: 'no' }, headers: answer.headers }]);
  });

  it("carries the envelope's code as serverCode", () => {
    expect(bodyProtocol().readError(info('refresh', 401, { code: 'refresh_token_expired' })).serverCode).toBe('refresh_token_expired');
  });

  it('has no serverCode without an envelope code', () => {
    expect(bodyProtocol().readError(info('refresh', 401, { code: 7 })).serverCode).toBeUndefined();
  });
});

describe('endReason', () => {
  // As the engine builds a refused refresh, and as the coordinator then reads it.
  const protocol = bodyProtocol();
  const { endReason } = coordinatorView(protocol);
  const refusal = (code: string | undefined) => rejectionOf(readAnswer(protocol, 'refresh', Response.json({ message: 'no', code }, { status: 401 })));

  it("is expired when the server's code says so", async () => {
    expect(endReason(await refusal('auth/refresh_token_expired'))).toBe('expired');
  });

  it.each([
    ['a code about revocation', 'refresh_token_revoked'],
    ['no code at all', undefined],
    ['a code that is not the contract’s own, even about expiry', 'refresh_token_expired'],
  ])('is revoked for %s', async (_label, serverCode) => {
    expect(endReason(await refusal(serverCode))).toBe('revoked');
  });

  it('is revoked for an error the protocol did not read', () => {
    expect(endReason(createAuthError('auth/refresh_rejected', { serverCode: 'auth/refresh_token_expired' }))).toBe('revoked');
  });
});

describe('defaultErrorCode', () => {
  it.each<[string, ErrorResponseInfo, AuthErrorCode]>([
    ['a 401 login', info('login', 401), 'auth/invalid_credentials'],
    ['a login with the envelope code', info('login', 400, { code: 'auth/invalid_credentials' }), 'auth/invalid_credentials'],
    ['a 400 login without it', info('login', 400), 'auth/http'],
    ['a 400 refresh', info('refresh', 400), 'auth/refresh_rejected'],
    ['a 401 refresh', info('refresh', 401), 'auth/refresh_rejected'],
    ['a 403 refresh', info('refresh', 403), 'auth/refresh_rejected'],
    ['a 500 refresh', info('refresh', 500), 'auth/http'],
    ['a 401 me', info('me', 401), 'auth/session_expired'],
    ['a 403 me', info('me', 403), 'auth/http'],
  ])('maps %s', (_label, shown, code) => {
    expect(defaultErrorCode(shown)).toBe(code);
  });
});

describe('readAnswer', () => {
  it('returns the JSON body of a 2xx', async () => {
    expect(await readAnswer(bodyProtocol(), 'refresh', Response.json({ accessToken: 'a2' }))).toEqual({ accessToken: 'a2' });
  });

  it('throws an InvalidCredentialsError instance for a 401 login', async () => {
    const error = await rejectionOf(readAnswer(bodyProtocol(), 'login', Response.json({ message: 'Invalid credentials' }, { status: 401 })));
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error.status).toBe(401);
  });

  it('refuses a 2xx that is not JSON as auth/invalid_response with its status', async () => {
    const error = await rejectionOf(readAnswer(bodyProtocol(), 'refresh', new Response('<html>', { status: 200 })));
    expect([error.code, error.status]).toEqual(['auth/invalid_response', 200]);
  });

  it('accepts a logout answered 204 with no body, as null', async () => {
    expect(await readAnswer(bodyProtocol(), 'logout', new Response(null, { status: 204 }))).toBeNull();
  });

  it('throws auth/http saying the status for an error no code names', async () => {
    const error = await rejectionOf(readAnswer(bodyProtocol(), 'me', new Response('oops', { status: 502 })));
    expect([error.code, error.status, error.message]).toEqual(['auth/http', 502, 'The authentication server answered with an error: HTTP 502.']);
  });

  it('never puts the body in the message, even when it is not JSON', async () => {
    const error = await rejectionOf(readAnswer(bodyProtocol(), 'refresh', new Response('secret-refresh-token', { status: 200 })));
    expect(error.message).not.toContain('secret-refresh-token');
  });

  it("carries the server's code of a refused refresh", async () => {
    const error = await rejectionOf(readAnswer(bodyProtocol(), 'refresh', Response.json({ code: 'refresh_token_revoked' }, { status: 401 })));
    expect([error.code, error.serverCode]).toEqual(['auth/refresh_rejected', 'refresh_token_revoked']);
  });
});

describe('isTransient', () => {
  it.each<[string, { code: AuthErrorCode; status?: number }, boolean]>([
    ['no answer', { code: 'auth/network' }, true],
    ['a 500', { code: 'auth/http', status: 500 }, true],
    ['a 503', { code: 'auth/http', status: 503 }, true],
    ['a 408', { code: 'auth/http', status: 408 }, true],
    ['a 429', { code: 'auth/http', status: 429 }, true],
    ['a 404', { code: 'auth/http', status: 404 }, false],
    ['a rejected refresh', { code: 'auth/refresh_rejected', status: 401 }, false],
    ['an invalid response', { code: 'auth/invalid_response', status: 200 }, false],
    ['a 500 classified as a rejection', { code: 'auth/refresh_rejected', status: 500 }, false],
  ])('says %s is %s', (_label, error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });
});
