// Hostile review of the protocol seam and its presets, against RFC 6749 / RFC 6750 and the
// fake server's flavours. Network through msw only (test/harness.ts), time through the test clock.
import { HttpResponse, http } from 'msw';
import * as z from 'zod/v4/mini';
import { describe, expect, it } from 'vitest';
import { mappedJson, oauth2, type OAuth2Options } from '../../src';
import { BASE_URL, MINUTE, emily, server, setup, startMswServer } from '../harness';

startMswServer();

const oidcUser = z.looseObject({ sub: z.string(), email: z.string() });
const OAUTH: OAuth2Options = { tokenPath: '/oauth/token', clientId: 'authloop-test', mePath: '/oauth/userinfo' };

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Record<string, unknown>,
  );
}

describe('review: oauth2 client authentication (RFC 6749 §2.3.1)', () => {
  it('form-encodes a secret with ":" and non-ASCII characters before base64, as the server decodes it', async () => {
    const secret = 'p:ss wörd/+=%';
    const fixture = setup({ flavour: 'oauth2', clientSecret: secret });
    const client = fixture.makeClient({ protocol: oauth2({ ...OAUTH, clientSecret: secret }), schemas: { user: oidcUser } });
    const session = await client.login(emily);
    expect(session.status).toBe('authenticated');
  });
});

describe('review: oauth2 token answers (§5.1)', () => {
  it('takes expires_in sent as a string (Azure AD v1) as seconds', async () => {
    const { makeClient, clock, control } = setup({ flavour: 'oauth2' });
    control.respondNext('login', 1, () =>
      HttpResponse.json({ access_token: 'opaque-at', token_type: 'bearer', expires_in: '900', refresh_token: 'opaque-rt' }),
    );
    const client = makeClient({ protocol: oauth2(OAUTH), schemas: { user: z.looseObject({}) } });
    server.use(http.get(`${BASE_URL}/oauth/userinfo`, () => HttpResponse.json({ sub: '1' })));
    const session = await client.login(emily);
    expect(session.expiresAt).toBe(clock.now() + 15 * MINUTE);
  });

  it('never re-sends a refresh token whose rotation answer was refused as a whole (token_type "mac")', async () => {
    const { makeClient, clock, control } = setup({ flavour: 'oauth2', accessTokenTtl: 900 });
    const client = makeClient({ protocol: oauth2(OAUTH), schemas: { user: oidcUser } });
    await client.login(emily);
    // The server rotates (spends the token it got) but the answer names a type we cannot use.
    control.respondNext('refresh', 1, async (request) => {
      const form = new URLSearchParams(await request.text());
      expect(form.get('grant_type')).toBe('refresh_token');
      return HttpResponse.json({ access_token: 'x', token_type: 'mac', expires_in: 900, refresh_token: 'rotated-rt' });
    });
    await clock.advance(14 * MINUTE);
    const sentTokens: (string | null)[] = [];
    control.respondNext('refresh', 1, async (request) => {
      sentTokens.push(new URLSearchParams(await request.text()).get('refresh_token'));
      return HttpResponse.json({ error: 'invalid_grant' }, { status: 400 });
    });
    await client.refresh().catch(() => undefined);
    expect(sentTokens).toEqual(['rotated-rt']);
  });
});

describe('review: oauth2 errors (§5.2, RFC 6750 §3)', () => {
  it('reads a wrong password refused 401 invalid_grant (Keycloak) as auth/invalid_credentials', async () => {
    const { makeClient, control } = setup({ flavour: 'oauth2' });
    control.respondNext('login', 1, () => HttpResponse.json({ error: 'invalid_grant', error_description: 'Invalid user credentials' }, { status: 401 }));
    const client = makeClient({ protocol: oauth2(OAUTH), schemas: { user: oidcUser } });
    expect(await rejection(client.login(emily))).toMatchObject({ code: 'auth/invalid_credentials' });
  });

  it('keeps the server code of a bearer challenge sent as a token, not a quoted string (RFC 7235 auth-param)', async () => {
    const { makeClient } = setup({ flavour: 'oauth2' });
    const client = makeClient({ protocol: oauth2(OAUTH), schemas: { user: oidcUser } });
    await client.login(emily);
    server.use(
      http.get(`${BASE_URL}/oauth/userinfo`, () => new HttpResponse(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="x", error=invalid_token' } })),
    );
    const error = await rejection(client.fetchMe());
    expect(error).toMatchObject({ code: 'auth/session_expired', serverCode: 'invalid_token' });
  });
});

describe('review: mappedJson lifetimes', () => {
  const base = {
    login: { path: '/api/token/', fields: ['email', 'password'] as const },
    refresh: { path: '/api/token/refresh/', field: 'refresh' },
    me: { path: '/api/me/' },
  };
  const snakeUser = z.looseObject({ id: z.number(), email: z.string() });
  const credentials = { email: 'emily.johnson@x.example', password: 'emilyspass' };

  it('takes a lifetime in seconds sent as a numeric string, as oauth2 does', async () => {
    const { makeClient, clock, control } = setup({ flavour: 'mapped-json' });
    control.respondNext('login', 1, () => HttpResponse.json({ access: 'opaque-at', refresh: 'opaque-rt', expires_in: '900' }));
    const client = makeClient({
      protocol: mappedJson({ ...base, answer: { accessToken: 'access', refreshToken: 'refresh', expires: { path: 'expires_in', unit: 'seconds' } }, opaqueTokens: true }),
      schemas: { user: snakeUser },
    });
    server.use(http.get(`${BASE_URL}/api/me/`, () => HttpResponse.json({ id: 1, email: 'emily.johnson@x.example' })));
    const session = await client.login(credentials);
    expect(session.expiresAt).toBe(clock.now() + 15 * MINUTE);
  });

  it('takes an epoch-seconds expiry sent as a string (Azure AD expires_on) as seconds, not as milliseconds', async () => {
    const { makeClient, clock, control } = setup({ flavour: 'mapped-json' });
    const expiresOn = String(Math.floor(clock.now() / 1000) + 900);
    control.respondNext('login', 1, () => HttpResponse.json({ access: 'opaque-at', refresh: 'opaque-rt', expires_on: expiresOn }));
    const client = makeClient({
      protocol: mappedJson({ ...base, answer: { accessToken: 'access', refreshToken: 'refresh', expires: { path: 'expires_on', unit: 'epoch-seconds' } }, opaqueTokens: true }),
      schemas: { user: snakeUser },
    });
    server.use(http.get(`${BASE_URL}/api/me/`, () => HttpResponse.json({ id: 1, email: 'emily.johnson@x.example' })));
    const session = await client.login(credentials);
    expect(session.expiresAt).toBe(clock.now() + 15 * MINUTE);
  });

  it('never pollutes Object.prototype through __proto__ / constructor.prototype answer paths', async () => {
    const { makeClient, control } = setup({ flavour: 'mapped-json' });
    control.respondNext('login', 1, () =>
      new HttpResponse('{"__proto__":{"polluted":"yes","access":"a"},"access":"opaque-at","refresh":"opaque-rt","constructor":{"prototype":{"polluted":"yes"}}}', {
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    const client = makeClient({
      protocol: mappedJson({ ...base, answer: { accessToken: '__proto__.access', refreshToken: 'constructor.prototype.polluted', user: '__proto__' }, opaqueTokens: true }),
      schemas: { user: z.looseObject({}) },
    });
    await client.login(credentials).catch(() => undefined);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).access).toBeUndefined();
  });
});

describe('review: contract login answers', () => {
  it('never puts a token in a refused answer’s error (message, issues, JSON)', async () => {
    const { makeClient, control } = setup();
    control.respondNext('login', 1, () => HttpResponse.json({ accessToken: 42, refreshToken: 'SECRET-REFRESH-TOKEN', id: 'SECRET-USER' }));
    const client = makeClient();
    const error = await rejection(client.login(emily));
    expect(error.code).toBe('auth/invalid_response');
    expect(JSON.stringify(error) + String(error.message) + String(error.stack)).not.toMatch(/SECRET/);
  });
});

describe('review: the contract, a login answer of tokens and their metadata', () => {
  it('asks me for a login answer of tokens only, even with a tokenType beside them', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    control.respondNext('login', 1, async () => {
      const issued = await control.issueSession('emilys');
      return HttpResponse.json({ accessToken: issued.accessToken, refreshToken: issued.refreshToken, tokenType: 'Bearer' });
    });
    await expect(client.login(emily)).resolves.toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
    expect(control.counts().me).toBe(1);
  });
});
