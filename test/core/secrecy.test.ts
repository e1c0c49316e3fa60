import { HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthError } from '../../src/core';
import { MINUTE, emily, server, setup, startMswServer } from '../harness';

startMswServer();

const logged: string[] = [];
beforeEach(() => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
});
afterEach(() => {
  logged.length = 0;
});

// Any 8 characters of a token would be enough to recognise it.
function leaks(text: string, tokens: string[]): boolean {
  return tokens.some((token) => {
    for (let i = 0; i + 8 <= token.length; i += 8) if (text.includes(token.slice(i, i + 8))) return true;
    return false;
  });
}

function describeError(error: AuthError): string {
  return [error.message, String(error), JSON.stringify(error), error.stack ?? '', JSON.stringify(error.cause ?? null)].join('\n');
}

describe('tokens stay secret', () => {
  it('appear in no error, log line or request URL through a run of failures', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const urls: string[] = [];
    server.events.on('request:start', ({ request }) => void urls.push(request.url));
    const errors: AuthError[] = [];
    const client = makeClient({ onError: (error) => errors.push(error) });
    const session = await client.login(emily);
    const tokens = [session.accessToken];
    const capture = (promise: Promise<unknown>) => promise.catch((error: AuthError) => void errors.push(error));

    // A server that echoes the token back in its error, a body that is a bare token, and the usual failures.
    control.respondNext('me', 1, () => HttpResponse.json({ message: `bad token ${session.accessToken}`, code: 'x' }, { status: 500 }));
    await capture(client.fetchMe());
    control.respondNext('me', 1, () => new HttpResponse(session.accessToken, { status: 200 }));
    await capture(client.fetchMe());
    // A 200 refresh whose body quotes the token and is not JSON: the session ends (its refresh token is spent).
    control.respondNext('refresh', 1, () => new HttpResponse(`{"accessToken": ${session.accessToken}`));
    await clock.advance(14 * MINUTE);
    tokens.push((await client.login(emily)).accessToken);
    control.failNext('refresh', 1, 'network');
    await clock.advance(14 * MINUTE);
    await clock.advance(1_000);
    const refreshed = client.getSnapshot() as { accessToken: string };
    tokens.push(refreshed.accessToken);
    control.revokeAll();
    await capture(client.refresh());

    expect(errors.length).toBeGreaterThanOrEqual(4);
    for (const error of errors) expect(leaks(describeError(error), tokens)).toBe(false);
    expect(leaks(logged.join('\n'), tokens)).toBe(false);
    expect(leaks(urls.join('\n'), tokens)).toBe(false);
  });

  it('keeps token fields out of the user object', async () => {
    const { makeClient } = setup();
    const session = await makeClient().login(emily);
    expect(JSON.stringify(session.user)).not.toMatch(/accessToken|refreshToken/);
  });

  it('never reads document.cookie', async () => {
    const { makeClient, clock } = setup({ accessTokenTtl: 900 });
    const read = vi.spyOn(Document.prototype, 'cookie', 'get');
    const client = makeClient({ storage: 'localStorage' });
    await client.login(emily);
    await clock.advance(14 * MINUTE);
    await client.fetchMe();
    await client.logout();
    expect(read).not.toHaveBeenCalled();
    localStorage.clear();
  });
});
