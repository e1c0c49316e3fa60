// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTestClock } from '../../src/testing/createTestClock';
import { createFakeAuthServer } from '../../src/testing/fakeAuthServer';
import { FAKE_OTP, type FakeFlavour } from '../../src/testing/flavours';
import { isRecord } from '../../src/testing/contractData';
import { startAuthServer } from '../../src/testing/startAuthServer';

const ORIGIN = 'http://fake.test';

const json = (path: string, body: unknown) =>
  new Request(ORIGIN + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const form = (path: string, fields: Record<string, string>) => new Request(ORIGIN + path, { method: 'POST', body: new URLSearchParams(fields) });

/** How a test speaks each flavour on the wire: its login, its refresh, where its answers keep the refresh token. */
const WIRES: Record<FakeFlavour, { login(): Request; refresh(token: string): Request; refreshTokenOf(body: unknown): unknown }> = {
  contract: {
    login: () => json('/auth/login', { username: 'emilys', password: 'emilyspass' }),
    refresh: (refreshToken) => json('/auth/refresh', { refreshToken }),
    refreshTokenOf: (body) => (isRecord(body) ? body.refreshToken : undefined),
  },
  oauth2: {
    login: () => form('/oauth/token', { grant_type: 'password', username: 'emilys', password: 'emilyspass', client_id: 'authloop-test' }),
    refresh: (token) => form('/oauth/token', { grant_type: 'refresh_token', refresh_token: token, client_id: 'authloop-test' }),
    refreshTokenOf: (body) => (isRecord(body) ? body.refresh_token : undefined),
  },
  'mapped-json': {
    login: () => json('/api/token/', { email: 'emily.johnson@x.example', password: 'emilyspass' }),
    refresh: (refresh) => json('/api/token/refresh/', { refresh }),
    refreshTokenOf: (body) => (isRecord(body) ? body.refresh : undefined),
  },
  'mapped-json-data': {
    login: () => json('/api/v1/session', { username: 'emilys', password: 'emilyspass', otp: FAKE_OTP, client_id: 'authloop-test' }),
    refresh: (token) => json('/api/v1/session/refresh', { refresh_token: token }),
    refreshTokenOf: (body) => (isRecord(body) && isRecord(body.data) ? body.data.refresh_token : undefined),
  },
};

function start(flavour: FakeFlavour, options: { clientSecret?: string } = {}) {
  const server = createFakeAuthServer({ clock: createTestClock(), flavour, ...options });
  const wire = WIRES[flavour];
  // Login and refresh are routed to 'login' alike where they share a path: the server tells them apart.
  const send = (endpoint: 'login' | 'refresh', request: Request) => server.handle(endpoint, request);
  const refreshTokenOf = async (response: Response) => wire.refreshTokenOf(await response.json()) as string;
  return { server, wire, send, refreshTokenOf };
}

describe.each<FakeFlavour>(['contract', 'oauth2', 'mapped-json', 'mapped-json-data'])('the %s flavour', (flavour) => {
  it('refuses a replayed refresh token and revokes its whole family', async () => {
    const { server, wire, send, refreshTokenOf } = start(flavour);
    const first = await refreshTokenOf(await send('login', wire.login()));
    const second = await refreshTokenOf(await send('refresh', wire.refresh(first)));
    const statuses = [(await send('refresh', wire.refresh(first))).status, (await send('refresh', wire.refresh(second))).status];
    expect(statuses.every((status) => status === 400 || status === 401)).toBe(true);
    expect(server.control.spentRefreshTokenRequests()).toBe(1);
  });
});

describe('the oauth2 flavour', () => {
  it('refuses a JSON token request with invalid_request, as a real token endpoint does', async () => {
    const { send } = start('oauth2');
    const response = await send('login', json('/oauth/token', { grant_type: 'password', username: 'emilys', password: 'emilyspass', client_id: 'authloop-test' }));
    expect([response.status, await response.json()]).toEqual([400, expect.objectContaining({ error: 'invalid_request' })]);
  });

  it('answers a wrong password with 400 invalid_grant (RFC 6749 §5.2)', async () => {
    const { send } = start('oauth2');
    const response = await send('login', form('/oauth/token', { grant_type: 'password', username: 'emilys', password: 'nope', client_id: 'authloop-test' }));
    expect([response.status, await response.json()]).toEqual([400, expect.objectContaining({ error: 'invalid_grant' })]);
  });

  it('marks token answers Cache-Control: no-store (§5.1)', async () => {
    const { send, wire } = start('oauth2');
    expect((await send('login', wire.login())).headers.get('Cache-Control')).toBe('no-store');
  });

  it('counts a refresh sent to the shared token path as a refresh', async () => {
    const { server, send, wire, refreshTokenOf } = start('oauth2');
    const token = await refreshTokenOf(await send('login', wire.login()));
    await send('login', wire.refresh(token));
    expect(server.control.counts()).toMatchObject({ login: 1, refresh: 1 });
  });

  it('authenticates a confidential client by HTTP Basic and refuses client_id beside it', async () => {
    const { send } = start('oauth2', { clientSecret: 's3cret' });
    const request = form('/oauth/token', { grant_type: 'password', username: 'emilys', password: 'emilyspass', client_id: 'authloop-test' });
    request.headers.set('Authorization', `Basic ${btoa('authloop-test:s3cret')}`);
    expect((await send('login', request)).status).toBe(400);
  });

  it('names a refused access token in WWW-Authenticate (RFC 6750 §3)', async () => {
    const { server } = start('oauth2');
    const response = await server.handle('me', new Request(`${ORIGIN}/oauth/userinfo`, { headers: { Authorization: 'Bearer nope' } }));
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });
});

describe('the mapped-json-data flavour', () => {
  it('refuses a wrong one-time code as invalid credentials', async () => {
    const { send } = start('mapped-json-data');
    const response = await send('login', json('/api/v1/session', { username: 'emilys', password: 'emilyspass', otp: '000000', client_id: 'authloop-test' }));
    expect([response.status, await response.json()]).toEqual([401, { error: expect.objectContaining({ code: 'invalid_credentials' }) }]);
  });
});

describe('startAuthServer', () => {
  it("serves the oauth2 flavour's one token path for both grants over node:http", async () => {
    const server = await startAuthServer({ flavour: 'oauth2', clock: createTestClock() });
    try {
      const post = (fields: Record<string, string>) => fetch(server.urls.login, { method: 'POST', body: new URLSearchParams({ ...fields, client_id: 'authloop-test' }) });
      const { refresh_token } = (await (await post({ grant_type: 'password', username: 'emilys', password: 'emilyspass' })).json()) as { refresh_token: string };
      const refreshed = await post({ grant_type: 'refresh_token', refresh_token });
      expect([refreshed.status, server.control.counts()]).toEqual([200, expect.objectContaining({ login: 1, refresh: 1 })]);
    } finally {
      await server.close();
    }
  });
});

describe('createFakeAuthServer', () => {
  it('refuses a flavour it does not know with a RangeError', () => {
    expect(() => createFakeAuthServer({ flavour: 'soap' as FakeFlavour })).toThrow(RangeError);
  });
});
