import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { AuthError } from '../../src/core';
import { MINUTE, emily, fakeJwt, setup, startMswServer } from '../harness';

startMswServer();

const validBody = { id: 1, username: 'emilys', email: 'e@x.example', firstName: 'E', lastName: 'J' };
const malformedLogins: Array<[string, () => Response]> = [
  ['a body that is not JSON', () => new HttpResponse('<html>proxy error</html>', { headers: { 'Content-Type': 'text/html' } })],
  ['JSON that is not an object', () => HttpResponse.json([1, 2, 3])],
  ['a missing access token', () => HttpResponse.json({ ...validBody, refreshToken: 'r' })],
  ['a user of the wrong shape', () => HttpResponse.json({ ...validBody, id: 'one', accessToken: fakeJwt({}), refreshToken: 'r' })],
  ['a garbage JWT', () => HttpResponse.json({ ...validBody, accessToken: 'not.a.jwt', refreshToken: 'r' })],
  ['an exp that is a string', () => HttpResponse.json({ ...validBody, accessToken: fakeJwt({ exp: 'soon' }), refreshToken: 'r' })],
  ['an exp before iat', () => HttpResponse.json({ ...validBody, accessToken: fakeJwt({ iat: 2000, exp: 1000 }), refreshToken: 'r' })],
  ['a token that is not a JWT at all', () => HttpResponse.json({ ...validBody, accessToken: 'plain', refreshToken: 'r' })],
  ['an empty access token', () => HttpResponse.json({ ...validBody, accessToken: '', refreshToken: 'r' })],
  ['an empty refresh token', () => HttpResponse.json({ ...validBody, accessToken: fakeJwt({}), refreshToken: '' })],
  ['an expiresIn of 0', () => HttpResponse.json({ ...validBody, accessToken: fakeJwt({}), refreshToken: 'r', expiresIn: 0 })],
];

async function caught(promise: Promise<unknown>): Promise<AuthError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: AuthError) => error,
  );
}

describe('malformed login responses', () => {
  it.each(malformedLogins)('turns %s into auth/invalid_response', async (_name, respond) => {
    const { makeClient, control } = setup();
    const client = makeClient();
    control.respondNext('login', 1, respond);
    const error = await caught(client.login(emily));
    expect(error.code).toBe('auth/invalid_response');
    expect(client.getSnapshot().status).toBe('unauthenticated');
  });

  it.each(malformedLogins)('keeps the previous good session after %s', async (_name, respond) => {
    const { makeClient, control } = setup();
    const client = makeClient({ storage: 'sessionStorage' });
    const good = await client.login(emily);
    const stored = sessionStorage.getItem('authloop.session');
    control.respondNext('login', 1, respond);
    await caught(client.login(emily));
    expect(client.getSnapshot()).toBe(good);
    expect(sessionStorage.getItem('authloop.session')).toBe(stored);
    sessionStorage.clear();
  });
});

describe('malformed refresh responses', () => {
  it('ends the session with refresh-failed when a 200 refresh answers garbage without a refresh token, never sending the spent one again', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    control.respondNext('refresh', 1, () => HttpResponse.json({ accessToken: 42 }));
    await clock.advance(14 * MINUTE);
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'refresh-failed', error: { code: 'auth/invalid_response' } });
    await clock.advance(10 * MINUTE);
    expect(control.counts().refresh).toBe(1);
  });

  it('keeps a valid new refresh token from a refused 200 refresh and retries with it', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    const good = await client.login(emily);
    const sent: string[] = [];
    // The server rotates, then its answer is mangled on the way: a valid refresh token, a garbage access token.
    control.respondNext('refresh', 1, async (request) => {
      const { refreshToken } = (await request.json()) as { refreshToken: string };
      sent.push(refreshToken);
      const next = await control.issueSession('emilys');
      return HttpResponse.json({ accessToken: 'not a jwt', refreshToken: next.refreshToken });
    });
    await clock.advance(14 * MINUTE);
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', accessToken: good.accessToken });
    await clock.advance(1_000); // the retry, after its backoff
    expect(control.counts().refresh).toBe(2);
    expect(control.requests().filter((entry) => entry.usedSpentRefreshToken)).toHaveLength(0);
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated' });
    expect(sent).toHaveLength(1);
  });

  it('refuses a refreshed token that is already expired instead of refreshing in a loop', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    const expired = fakeJwt({ exp: Math.floor(clock.now() / 1000) - 60 });
    control.respondNext('refresh', 1, () => HttpResponse.json({ accessToken: expired, refreshToken: 'r2' }));
    await clock.advance(14 * MINUTE);
    expect(control.counts().refresh).toBe(1);
    expect(client.getSnapshot().status).toBe('authenticated');
  });
});

describe('malformed me responses', () => {
  it('turns a me body of the wrong shape into auth/invalid_response', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    await client.login(emily);
    control.respondNext('me', 1, () => HttpResponse.json({ id: 'x' }));
    const error = await caught(client.fetchMe());
    expect(error.code).toBe('auth/invalid_response');
    expect(client.getSnapshot().status).toBe('authenticated');
  });
});

describe('bad options', () => {
  it.each([
    ['a negative leeway', { refreshLeewayMs: -1 }],
    ['a leeway that is not a number', { refreshLeewayMs: Number.NaN }],
    ['a leeway given as a string', { refreshLeewayMs: '60' as never }],
    ['a request timeout of 0', { requestTimeoutMs: 0 }],
    ['an infinite request timeout', { requestTimeoutMs: Number.POSITIVE_INFINITY }],
    ['a baseUrl that is not a string', { baseUrl: 42 as never }],
    ['an empty path', { paths: { login: '' } }],
    ['an empty logout path', { paths: { logout: '' } }],
    ['an empty storage name', { storage: '' as never }],
    ['storage: false', { storage: false as never }],
    ['a storage without methods', { storage: {} as never }],
    ['a user schema that is not a schema', { schemas: { user: {} as never } }],
  ])('rejects %s with auth/invalid_config', (_name, config) => {
    const { makeClient } = setup();
    expect(() => makeClient(config)).toThrow(expect.objectContaining({ code: 'auth/invalid_config' }));
  });

  it('takes null for refreshLeewayMs or requestTimeoutMs as the default', () => {
    const { makeClient } = setup();
    expect(() => makeClient({ refreshLeewayMs: null, requestTimeoutMs: null } as never)).not.toThrow();
  });
});
