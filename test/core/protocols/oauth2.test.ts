import { HttpResponse, http } from 'msw';
import * as z from 'zod/v4/mini';
import { describe, expect, it } from 'vitest';
import { oauth2, type OAuth2Options } from '../../../src';
import { BASE_URL, MINUTE, emily, server, setup, startMswServer } from '../../harness';

startMswServer();

const oidcUser = z.looseObject({ sub: z.string(), email: z.string() });
const OPTIONS: OAuth2Options = { tokenPath: '/oauth/token', clientId: 'authloop-test', scope: ['openid', 'email'], mePath: '/oauth/userinfo' };

/** A fake OAuth 2.0 server, a client for it, and every request the client sent, as sent. */
function oauthSetup(options: Partial<OAuth2Options> = {}, server: Parameters<typeof setup>[0] = {}) {
  const fixture = setup({ flavour: 'oauth2', accessTokenTtl: 900, ...server });
  const sent: Request[] = [];
  const recording: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    sent.push(request.clone());
    return fetch(request);
  };
  const client = fixture.makeClient({ protocol: oauth2({ ...OPTIONS, ...options }), schemas: { user: oidcUser }, fetch: recording });
  const form = async (index: number) => Object.fromEntries(new URLSearchParams(await sent[index]!.text()));
  return { ...fixture, client, sent, form };
}

async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('oauth2: login (RFC 6749 §4.3)', () => {
  it('posts a form-encoded password grant that names the public client and the scope', async () => {
    const { client, sent, form } = oauthSetup();
    await client.login(emily);
    expect(sent[0]!.headers.get('Content-Type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(await form(0)).toEqual({ grant_type: 'password', username: 'emilys', password: 'emilyspass', scope: 'openid email', client_id: 'authloop-test' });
  });

  it('authenticates a confidential client with HTTP Basic instead of client_id (§2.3.1)', async () => {
    const { client, sent, form } = oauthSetup({ clientSecret: 's3cret pass' }, { clientSecret: 's3cret pass' });
    await client.login(emily);
    expect(sent[0]!.headers.get('Authorization')).toBe(`Basic ${btoa('authloop-test:s3cret+pass')}`);
    expect(await form(0)).not.toHaveProperty('client_id');
  });

  it('reads expiry from expires_in and never decodes the opaque token', async () => {
    const { client, clock } = oauthSetup();
    const session = await client.login(emily);
    expect(session.expiresAt).toBe(clock.now() + 15 * MINUTE);
  });

  it('turns invalid_request at login into auth/http with the server code, never a wrong password', async () => {
    const { client, control } = oauthSetup();
    control.respondNext('login', 1, () => HttpResponse.json({ error: 'invalid_request' }, { status: 400 }));
    expect(await rejection(client.login(emily))).toMatchObject({ code: 'auth/http', status: 400, serverCode: 'invalid_request' });
  });

  it('turns an unknown client into auth/http, even with the right password', async () => {
    const { client } = oauthSetup({ clientId: 'someone-else' });
    expect(await rejection(client.login(emily))).toMatchObject({ code: 'auth/http', status: 401, serverCode: 'invalid_client' });
  });

  it('refuses a token type other than Bearer as an invalid response', async () => {
    const { client, control } = oauthSetup();
    control.respondNext('login', 1, () => HttpResponse.json({ access_token: 'a', token_type: 'mac', expires_in: 900, refresh_token: 'r' }));
    expect(await rejection(client.login(emily))).toMatchObject({ code: 'auth/invalid_response' });
  });
});

describe('oauth2 with classifyError', () => {
  it('asks the classifier before the protocol', async () => {
    const { makeClient, control } = setup({ flavour: 'oauth2' });
    const client = makeClient({
      protocol: oauth2(OPTIONS),
      schemas: { user: oidcUser },
      classifyError: ({ endpoint, status }) => (endpoint === 'login' && status === 403 ? 'auth/invalid_credentials' : undefined),
    });
    control.respondNext('login', 1, () => HttpResponse.json({ error: 'access_denied' }, { status: 403 }));
    expect(await rejection(client.login(emily))).toMatchObject({ code: 'auth/invalid_credentials', serverCode: 'access_denied' });
  });
});

describe('oauth2: refresh (RFC 6749 §6)', () => {
  it('posts the refresh token grant with the client id', async () => {
    const { client, clock, form } = oauthSetup();
    await client.login(emily);
    await clock.advance(14 * MINUTE);
    expect(await form(2)).toEqual({ grant_type: 'refresh_token', refresh_token: expect.any(String), client_id: 'authloop-test' });
  });

  it('keeps the current refresh token when the answer has none', async () => {
    const { client, clock, control } = oauthSetup();
    await client.login(emily);
    control.respondNext('refresh', 1, () => HttpResponse.json({ access_token: 'new-access', token_type: 'Bearer', expires_in: 900 }));
    await clock.advance(14 * MINUTE);
    await clock.advance(14 * MINUTE); // the kept token, sent once, and accepted
    expect(control.requests().filter((entry) => entry.endpoint === 'refresh').map((entry) => entry.status)).toEqual([200, 200]);
  });

  it('ends the session as revoked when the server refuses the refresh token with invalid_grant', async () => {
    const { client, clock, control } = oauthSetup();
    await client.login(emily);
    control.revokeAll();
    await clock.advance(14 * MINUTE);
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'revoked', error: { code: 'auth/refresh_rejected', serverCode: 'invalid_grant' } });
  });

  it("ends the session as expired when endReason reads the server's words so", async () => {
    const endReason: OAuth2Options['endReason'] = ({ error_description }) => (error_description?.includes('expired') ? 'expired' : 'revoked');
    const { client, clock } = oauthSetup({ endReason }, { refreshTokenTtl: 3600 });
    await client.login(emily);
    clock.jump(2 * 60 * MINUTE);
    await client.getAccessToken();
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'expired' });
  });
});

describe('oauth2: me and logout', () => {
  it('reads invalid_token from WWW-Authenticate (RFC 6750 §3) as an ended session', () => {
    const headers = new Headers({ 'WWW-Authenticate': 'Bearer realm="api", error="invalid_token"' });
    expect(oauth2(OPTIONS).readError({ endpoint: 'me', status: 401, body: null, headers })).toMatchObject({
      code: 'auth/session_expired',
      serverCode: 'invalid_token',
    });
  });

  it('revokes the refresh token at the revocation endpoint on logout (RFC 7009)', async () => {
    const revoked: Record<string, string>[] = [];
    server.use(
      http.post(`${BASE_URL}/oauth/revoke`, async ({ request }) => {
        revoked.push(Object.fromEntries(new URLSearchParams(await request.text())));
        return new HttpResponse(null, { status: 200 });
      }),
    );
    const { client } = oauthSetup({ revocationPath: '/oauth/revoke' });
    await client.login(emily);
    await client.logout();
    expect(revoked).toEqual([{ token: expect.any(String), token_type_hint: 'refresh_token', client_id: 'authloop-test' }]);
  });
});
