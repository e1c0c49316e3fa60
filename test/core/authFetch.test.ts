import { describe, expect, it, vi } from 'vitest';
import { createAuthFetch, type AuthFetchOptions } from '../../src/core/authFetch';
import type { AuthError } from '../../src/core/errors';

const BASE_URL = 'https://api.test/v1';

interface Sent {
  url: string;
  method: string;
  authorization: string | null;
  body: string;
}

/**
 * An authFetch over stubs: a session whose token is `token` until `refresh` rotates it to
 * `rotated`, and a `send` that records every request and answers from `statuses` in turn.
 */
function setup({ statuses = [200], token = 't1' as string | null, rotated = 't2' as string | null, allowedOrigins = [] as string[], refreshFails = false } = {}) {
  let current = token;
  const sent: Sent[] = [];
  const getAccessToken = vi.fn(async () => current);
  const refresh = vi.fn(async () => {
    if (refreshFails) throw new Error('refresh failed');
    current = rotated;
  });
  let answered = 0;
  const send = vi.fn(async (request: Request) => {
    sent.push({ url: request.url, method: request.method, authorization: request.headers.get('Authorization'), body: await request.text() });
    const status = statuses[Math.min(answered++, statuses.length - 1)]!;
    return new Response(`answer ${answered}`, { status });
  });
  const options: AuthFetchOptions = { baseUrl: BASE_URL, allowedOrigins, getAccessToken, currentToken: () => current, refresh, send };
  return { authFetch: createAuthFetch(options), sent, getAccessToken, refresh, send, rotate: (next: string) => (current = next) };
}

describe('createAuthFetch: who sees the token', () => {
  it("adds the bearer token to a path under baseUrl", async () => {
    const { authFetch, sent } = setup();
    await authFetch('/todos');
    expect(sent).toEqual([{ url: 'https://api.test/v1/todos', method: 'GET', authorization: 'Bearer t1', body: '' }]);
  });

  it("adds the bearer token to an absolute URL on baseUrl's origin", async () => {
    const { authFetch, sent } = setup();
    await authFetch('https://api.test/other');
    expect(sent[0]!.authorization).toBe('Bearer t1');
  });

  it('adds the bearer token to a URL on an allowed origin', async () => {
    const { authFetch, sent } = setup({ allowedOrigins: ['https://files.test'] });
    await authFetch(new URL('https://files.test/upload'));
    expect(sent[0]!.authorization).toBe('Bearer t1');
  });

  it('sends a request to any other origin untouched, without asking for a token', async () => {
    const { authFetch, sent, send, getAccessToken } = setup({ allowedOrigins: ['https://files.test'] });
    await authFetch('https://tracker.example/collect', { method: 'POST', body: 'x=1', headers: { 'X-Own': 'yes' } });
    expect(sent).toEqual([{ url: 'https://tracker.example/collect', method: 'POST', authorization: null, body: 'x=1' }]);
    expect(send.mock.calls[0]![0].headers.get('X-Own')).toBe('yes');
    expect(getAccessToken).not.toHaveBeenCalled();
  });

  it('does not take a look-alike host for the origin (https://api.test.evil.example)', async () => {
    const { authFetch, sent } = setup();
    await authFetch('https://api.test.evil.example/v1/todos');
    expect(sent[0]!.authorization).toBeNull();
  });

  it("does not send the token over http to baseUrl's https host", async () => {
    const { authFetch, sent } = setup();
    await authFetch('http://api.test/v1/todos');
    expect(sent[0]!.authorization).toBeNull();
  });

  it("keeps the caller's method, headers and body on a trusted request", async () => {
    const { authFetch, send } = setup();
    await authFetch('/todos', { method: 'PUT', body: '{"done":true}', headers: { 'Content-Type': 'application/json' } });
    const request = send.mock.calls[0]![0];
    expect([request.method, request.headers.get('Content-Type')]).toEqual(['PUT', 'application/json']);
  });

  it('rejects with auth/session_expired when signed out, sending nothing', async () => {
    const { authFetch, send } = setup({ token: null });
    const error = (await authFetch('/todos').catch((caught: unknown) => caught)) as AuthError;
    expect(error.code).toBe('auth/session_expired');
    expect(send).not.toHaveBeenCalled();
  });
});

describe('createAuthFetch: a 401', () => {
  it('refreshes once and retries once with the new token', async () => {
    const { authFetch, sent, refresh } = setup({ statuses: [401, 200] });
    const response = await authFetch('/todos');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent.map((request) => request.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
    expect(response.status).toBe(200);
  });

  it('returns a second 401 as it is, without refreshing again (no loop)', async () => {
    const { authFetch, sent, refresh } = setup({ statuses: [401, 401, 401] });
    const response = await authFetch('/todos');
    expect([refresh.mock.calls.length, sent.length, response.status]).toEqual([1, 2, 401]);
  });

  it('sends the body again on the retry', async () => {
    const { authFetch, sent } = setup({ statuses: [401, 200] });
    await authFetch('/todos', { method: 'POST', body: JSON.stringify({ title: 'milk' }) });
    expect(sent.map((request) => request.body)).toEqual(['{"title":"milk"}', '{"title":"milk"}']);
  });

  it('retries a Request object with its body too', async () => {
    const { authFetch, sent } = setup({ statuses: [401, 200] });
    await authFetch(new Request('https://api.test/v1/todos', { method: 'POST', body: 'payload' }));
    expect(sent.map((request) => request.body)).toEqual(['payload', 'payload']);
  });

  it('skips its own refresh when another caller rotated the token meanwhile, and retries with the new one', async () => {
    const { authFetch, sent, refresh, send, rotate } = setup({ statuses: [200] });
    send.mockImplementationOnce(async (request: Request) => {
      sent.push({ url: request.url, method: request.method, authorization: request.headers.get('Authorization'), body: '' });
      rotate('t-other');
      return new Response(null, { status: 401 });
    });
    await authFetch('/todos');
    expect(refresh).not.toHaveBeenCalled();
    expect(sent.map((request) => request.authorization)).toEqual(['Bearer t1', 'Bearer t-other']);
  });

  it('returns the 401 when the refresh fails, without a retry', async () => {
    const { authFetch, sent } = setup({ statuses: [401, 200], refreshFails: true });
    const response = await authFetch('/todos');
    expect([response.status, sent.length]).toEqual([401, 1]);
  });

  it('returns the 401 when the refresh signed the session out, without a retry', async () => {
    const { authFetch, sent } = setup({ statuses: [401, 200], rotated: null });
    const response = await authFetch('/todos');
    expect([response.status, sent.length]).toEqual([401, 1]);
  });

  it('does not refresh on a 401 from an untrusted origin', async () => {
    const { authFetch, refresh } = setup({ statuses: [401] });
    await authFetch('https://tracker.example/collect');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('does not refresh on a 403', async () => {
    const { authFetch, refresh } = setup({ statuses: [403] });
    expect((await authFetch('/todos')).status).toBe(403);
    expect(refresh).not.toHaveBeenCalled();
  });
});
