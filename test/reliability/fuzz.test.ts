import fc from 'fast-check';
import { HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { isAuthError, type AuthErrorCode } from '../../src/core';
import { MINUTE, emily, fakeJwt, server, setup, startMswServer } from '../harness';

startMswServer();
afterEach(() => sessionStorage.clear());

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
// Each property runs many full login round trips through msw: seconds, not milliseconds.
const PROPERTY_TIMEOUT_MS = 60_000;
const CODES: AuthErrorCode[] = [
  'auth/invalid_credentials', 'auth/network', 'auth/invalid_response', 'auth/session_expired',
  'auth/refresh_rejected', 'auth/http', 'auth/storage', 'auth/invalid_config', 'auth/destroyed',
];

const nowSeconds = () => Math.floor(Date.UTC(2026, 0, 1) / 1000);

/** Claims a hostile or broken server might put in a token. */
const claimValue = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -1, 0, 1e300, -1e300, '1900', null, true, [], {}),
  fc.integer({ min: -2e9, max: 4e9 }),
  fc.double(),
  fc.string(),
);
const garbageToken = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.record({ exp: claimValue, iat: claimValue }, { requiredKeys: [] }).map((claims) => fakeJwt(claims)),
  fc.integer({ min: 1, max: 80 }).map((cut) => fakeJwt({ iat: nowSeconds(), exp: nowSeconds() + 900 }).slice(0, cut)),
  fc.constantFrom('a.b.c', '...', 'eyJ.eyJ.', `${'x'.repeat(100_000)}.y.z`),
);
const pollutedObject = fc.constantFrom(
  '{"__proto__":{"polluted":true},"accessToken":"a.b.c"}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"id":1,"username":"u","email":"e","firstName":"f","lastName":"l","__proto__":{"isAdmin":true}}',
);

/** A response body: JSON of any shape, text that is not JSON, huge strings, polluting keys. */
const garbageBody: fc.Arbitrary<() => Response> = fc.oneof(
  fc.jsonValue().map((value) => () => HttpResponse.json(value as never)),
  fc.string().map((text) => () => new HttpResponse(text, { headers: { 'Content-Type': 'application/json' } })),
  fc.constant(() => new HttpResponse('x'.repeat(2_000_000))),
  fc.constant(() => new HttpResponse('<html><body>502 Bad Gateway</body></html>', { headers: { 'Content-Type': 'text/html' } })),
  pollutedObject.map((text) => () => new HttpResponse(text, { headers: { 'Content-Type': 'application/json' } })),
  fc.record({
    id: fc.oneof(fc.integer(), fc.string()), username: fc.string(), email: fc.string(), firstName: fc.string(), lastName: fc.string(),
    accessToken: garbageToken, refreshToken: fc.oneof(fc.string(), fc.integer()), expiresIn: claimValue,
  }, { requiredKeys: [] }).map((body) => () => HttpResponse.json(body as never)),
);

async function outcome(promise: Promise<unknown>): Promise<{ ok: true } | { ok: false; code: string }> {
  try {
    await promise;
    return { ok: true };
  } catch (error) {
    if (!isAuthError(error)) throw new Error(`not an AuthError: ${String(error)}`);
    return { ok: false, code: error.code };
  }
}

describe('fuzzed boundary', () => {
  it('a garbage login response is an invalid_response error and leaves the previous session intact', async () => {
    await fc.assert(
      fc.asyncProperty(garbageBody, async (respond) => {
        const { makeClient, control } = setup();
        const client = makeClient({ storage: 'sessionStorage' });
        const good = await client.login(emily);
        const stored = sessionStorage.getItem('authloop.session');
        control.respondNext('login', 1, respond);
        const result = await outcome(client.login(emily));
        if (!result.ok) {
          expect(result.code).toBe('auth/invalid_response');
          expect(client.getSnapshot()).toBe(good);
          expect(sessionStorage.getItem('authloop.session')).toBe(stored);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        client.destroy();
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('a login whose token is garbage either fails as invalid_response or yields a usable expiry', async () => {
    await fc.assert(
      fc.asyncProperty(garbageToken, async (accessToken) => {
        const { makeClient, control, clock } = setup();
        const client = makeClient();
        control.respondNext('login', 1, () =>
          HttpResponse.json({ id: 1, username: 'emilys', email: 'e', firstName: 'E', lastName: 'J', accessToken, refreshToken: 'r' }),
        );
        const result = await outcome(client.login(emily));
        const snapshot = client.getSnapshot();
        if (result.ok) {
          // The documented fallback: no exp means no timer; an exp means a future expiry.
          expect(snapshot.status).toBe('authenticated');
          const expiresAt = snapshot.status === 'authenticated' ? snapshot.expiresAt : null;
          expect(expiresAt === null || expiresAt > clock.now()).toBe(true);
        } else {
          expect(result.code).toBe('auth/invalid_response');
          expect(snapshot.status).toBe('unauthenticated');
        }
        client.destroy();
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('a garbage 200 refresh answer never crashes and never gets the spent refresh token sent again', async () => {
    await fc.assert(
      fc.asyncProperty(garbageBody, async (respond) => {
        const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
        const client = makeClient();
        const good = await client.login(emily);
        const sentTokens: unknown[] = [];
        server.events.on('request:start', async ({ request }) => {
          if (request.url.endsWith('/auth/refresh')) sentTokens.push(((await request.clone().json()) as { refreshToken?: unknown }).refreshToken);
        });
        control.respondNext('refresh', 1, respond);
        await clock.advance(14 * MINUTE);
        await clock.advance(2 * MINUTE); // room for a retry
        server.events.removeAllListeners();
        const snapshot = client.getSnapshot();
        // The first refresh spent the login's token: it is never sent again.
        expect(sentTokens.slice(1)).not.toContain(sentTokens[0]);
        if (snapshot.status === 'authenticated' && snapshot.accessToken !== good.accessToken) {
          // Only a body that really was a valid refresh answer may replace the token.
          expect(snapshot.expiresAt === null || snapshot.expiresAt > clock.now()).toBe(true);
        }
        // Ended by the refused answer itself, or by the server refusing a refresh token salvaged from it.
        if (snapshot.status === 'unauthenticated') expect(['refresh-failed', 'revoked']).toContain(snapshot.reason);
        client.destroy();
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('a garbage me response is an AuthError, never a crash, and leaves the session alone', async () => {
    await fc.assert(
      fc.asyncProperty(garbageBody, async (respond) => {
        const { makeClient, control } = setup();
        const client = makeClient();
        const good = await client.login(emily);
        control.respondNext('me', 1, respond);
        const result = await outcome(client.fetchMe());
        if (!result.ok) expect(['auth/invalid_response', 'auth/session_expired']).toContain(result.code);
        // A body that is a valid user of the same id is me's answer: the session takes its user, and keeps its tokens.
        if (result.ok) expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', accessToken: good.accessToken });
        else expect(client.getSnapshot()).toBe(good);
        client.destroy();
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('any error status with any body becomes a known AuthError code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 400, max: 599 }), garbageBody, fc.constantFrom('login', 'me') as fc.Arbitrary<'login' | 'me'>, async (status, respond, endpoint) => {
        const { makeClient, control } = setup();
        const client = makeClient();
        if (endpoint === 'me') await client.login(emily);
        control.respondNext(endpoint, 1, async () => {
          const body = await respond().text();
          return new HttpResponse(body, { status });
        });
        const result = await outcome(endpoint === 'login' ? client.login(emily) : client.fetchMe());
        // A 401 from me is answered by one refresh and one retry, which the healthy server passes.
        expect(result.ok).toBe(endpoint === 'me' && status === 401);
        if (!result.ok) expect(CODES).toContain(result.code);
        client.destroy();
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});
