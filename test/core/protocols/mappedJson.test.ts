import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { mappedJson, type LifetimeUnit, type MappedJsonOptions } from '../../../src';
import { valueAt } from '../../../src/core/protocols/valueAt';
import { MINUTE, setup, startMswServer } from '../../harness';

startMswServer();

const user = { id: 1, username: 'emilys', email: 'emily.johnson@x.example', firstName: 'Emily', lastName: 'Johnson' };
const emily = { username: 'emilys', password: 'emilyspass' };
const flat: MappedJsonOptions<'username' | 'password'> = {
  login: { path: '/auth/login' },
  refresh: { path: '/auth/refresh' },
  me: { path: '/auth/me' },
  answer: { accessToken: 'token', user: 'user' },
  opaqueTokens: true,
};

/** A client whose login answer is `answer`, on a server whose clock reads `clock.now()`. */
async function loginAnswering(answer: (now: number) => Record<string, unknown>, options: Partial<MappedJsonOptions<'username' | 'password'>> = {}) {
  const { makeClient, control, clock } = setup();
  control.respondNext('login', 1, () => HttpResponse.json(answer(clock.now())));
  const client = makeClient({ protocol: mappedJson({ ...flat, ...options }) });
  return { session: await client.login(emily), clock, client };
}

describe('mappedJson: requests', () => {
  it('sends the declared credential fields and the fixed extra fields', async () => {
    const { makeClient, control } = setup();
    let body: unknown;
    control.respondNext('login', 1, async (request) => {
      body = await request.json();
      return HttpResponse.json({ token: 'opaque', user });
    });
    const client = makeClient({ protocol: mappedJson({ ...flat, login: { path: '/auth/login', fields: ['email', 'password'], extra: { client_id: 'web', remember: true } } }) });
    await client.login({ email: 'emily.johnson@x.example', password: 'emilyspass' });
    expect(body).toEqual({ client_id: 'web', remember: true, email: 'emily.johnson@x.example', password: 'emilyspass' });
  });

  it('refuses credentials without a declared field as auth/invalid_config, sending nothing', async () => {
    const { makeClient, control } = setup();
    const client = makeClient({ protocol: mappedJson({ ...flat, login: { path: '/auth/login', fields: ['username', 'password', 'otp'] } }) });
    await expect(client.login(emily as never)).rejects.toMatchObject({ code: 'auth/invalid_config' });
    expect(control.counts().login).toBe(0);
  });
});

describe('mappedJson: lifetimes', () => {
  const at = (unit: LifetimeUnit, value: (now: number) => unknown) =>
    loginAnswering((now) => ({ token: 'opaque', user, expires: value(now) }), { answer: { ...flat.answer, expires: { path: 'expires', unit } } });

  it.each<[LifetimeUnit, (now: number) => unknown]>([
    ['seconds', () => 900],
    ['milliseconds', () => 900_000],
    ['epoch-seconds', (now) => now / 1000 + 900],
    ['epoch-milliseconds', (now) => now + 900_000],
    ['date', (now) => new Date(now + 900_000).toISOString()],
  ])('reads a lifetime told in %s', async (unit, value) => {
    const { session, clock } = await at(unit, value);
    expect(session.expiresAt).toBe(clock.now() + 15 * MINUTE);
  });

  it('refuses an absolute expiry already past as an invalid response', async () => {
    await expect(at('epoch-milliseconds', (now) => now - 1)).rejects.toMatchObject({ code: 'auth/invalid_response' });
  });
});

describe('mappedJson: answers', () => {
  it('refuses a login answer whose access token is not at its path', async () => {
    await expect(loginAnswering(() => ({ data: { token: 'opaque' }, user }))).rejects.toMatchObject({
      code: 'auth/invalid_response',
      issues: [expect.objectContaining({ path: 'accessToken' })],
    });
  });

  it('reads own properties only, never what an object inherits', () => {
    expect([valueAt({}, 'constructor.name'), valueAt({}, '__proto__'), valueAt({ a: [1] }, 'a.length')]).toEqual([undefined, undefined, undefined]);
  });
});

describe('mappedJson: end reasons', () => {
  const protocol = mappedJson({
    login: { path: '/api/token/', fields: ['email', 'password'] },
    refresh: { path: '/api/token/refresh/', field: 'refresh' },
    me: { path: '/api/me/' },
    answer: { accessToken: 'access', refreshToken: 'refresh' },
    errors: { expired: ['token_expired'] },
  });
  const credentials = { email: 'emily.johnson@x.example', password: 'emilyspass' };
  const snakeCase = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } } as const;

  it("ends the session as expired when the server's code is one of errors.expired", async () => {
    const { makeClient, clock } = setup({ flavour: 'mapped-json', accessTokenTtl: 900, refreshTokenTtl: 3600 });
    const client = makeClient({ protocol, schemas: { user: snakeCase } });
    await client.login(credentials);
    clock.jump(2 * 60 * MINUTE);
    await client.getAccessToken();
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'expired', error: { serverCode: 'token_expired' } });
  });

  it('ends the session as revoked for any other refusal', async () => {
    const { makeClient, clock, control } = setup({ flavour: 'mapped-json', accessTokenTtl: 900 });
    const client = makeClient({ protocol, schemas: { user: snakeCase } });
    await client.login(credentials);
    control.revokeAll();
    await clock.advance(14 * MINUTE);
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'revoked', error: { serverCode: 'token_not_valid' } });
  });
});
