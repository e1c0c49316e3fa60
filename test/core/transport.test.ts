import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/core/errors';
import { createTransport, isStopped, originOf, resolveUrl, STOPPED } from '../../src/core/transport';
import { createTestClock } from '../../src/testing/createTestClock';

const TIMEOUT_MS = 5_000;
const REFRESH_URL = 'https://auth.test/auth/refresh';

/** A fetch that records what it was given and answers only when told, or never. */
function controlledFetch({ honourSignal }: { honourSignal: boolean }) {
  const seen: Request[] = [];
  const answers: Array<(response: Response) => void> = [];
  const fakeFetch = ((input: RequestInfo | URL) => {
    const request = input as Request;
    seen.push(request);
    return new Promise<Response>((resolve, reject) => {
      answers.push(resolve);
      if (honourSignal) request.signal.addEventListener('abort', () => reject(request.signal.reason));
    });
  }) as typeof fetch;
  return { fetch: fakeFetch, seen, answers };
}

function setup({ honourSignal = true } = {}) {
  const clock = createTestClock();
  const controlled = controlledFetch({ honourSignal });
  const transport = createTransport({ fetch: controlled.fetch, clock, timeoutMs: TIMEOUT_MS });
  return { clock, transport, ...controlled };
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

describe('createTransport', () => {
  it('resolves with the response and the local time it was sent', async () => {
    const { clock, transport, answers } = setup();
    const sentAt = clock.now();
    const sent = transport.send(new Request(REFRESH_URL), true);
    await clock.flush();
    const response = new Response('{}');
    answers[0]!(response);
    expect(await sent).toEqual({ response, sentAt });
  });

  it('turns a fetch that rejects (offline, CORS, DNS) into auth/network', async () => {
    const clock = createTestClock();
    const transport = createTransport({ fetch: () => Promise.reject(new TypeError('Failed to fetch')), clock, timeoutMs: TIMEOUT_MS });
    expect((await rejectionOf(transport.send(new Request(REFRESH_URL), true))).code).toBe('auth/network');
  });

  it('turns a fetch that throws synchronously into auth/network', async () => {
    const clock = createTestClock();
    const fetch = () => {
      throw new TypeError('Invalid URL');
    };
    const transport = createTransport({ fetch, clock, timeoutMs: TIMEOUT_MS });
    expect((await rejectionOf(transport.send(new Request(REFRESH_URL), false))).code).toBe('auth/network');
  });

  it('calls fetch unbound, as the global fetch requires', async () => {
    const clock = createTestClock();
    const fetch = vi.fn(async () => new Response('{}'));
    await createTransport({ fetch, clock, timeoutMs: TIMEOUT_MS }).send(new Request(REFRESH_URL), true);
    expect(fetch.mock.contexts).toEqual([undefined]);
  });

  it('rejects with auth/network at the timeout on the injected clock, not before', async () => {
    const { clock, transport } = setup();
    let settled: unknown = 'pending';
    const sent = transport.send(new Request(REFRESH_URL), true).catch((error: unknown) => (settled = error));
    await clock.advance(TIMEOUT_MS - 1);
    expect(settled).toBe('pending');
    await clock.advance(1);
    await sent;
    expect(settled).toMatchObject({ code: 'auth/network' });
  });

  it('aborts the signal the fetch was given at the timeout', async () => {
    const { clock, transport, seen } = setup();
    const sent = transport.send(new Request(REFRESH_URL), true).catch(() => undefined);
    await clock.advance(TIMEOUT_MS);
    await sent;
    expect(seen[0]!.signal.aborted).toBe(true);
  });

  it('gives up at the timeout even when the fetch ignores the signal', async () => {
    const { clock, transport } = setup({ honourSignal: false });
    const failure = rejectionOf(transport.send(new Request(REFRESH_URL), true));
    await clock.advance(TIMEOUT_MS);
    expect((await failure).code).toBe('auth/network');
  });

  it('sets no timer without a timeout', async () => {
    const { clock, transport } = setup();
    void transport.send(new Request(REFRESH_URL), false).catch(() => undefined);
    await clock.flush();
    expect(clock.pendingTimers()).toBe(0);
    transport.abortAll();
  });

  it('clears its timer once answered', async () => {
    const { clock, transport, answers } = setup();
    const sent = transport.send(new Request(REFRESH_URL), true);
    await clock.flush();
    answers[0]!(new Response('{}'));
    await sent;
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects every request in flight on abortAll(), with an error that says the client stopped', async () => {
    const { clock, transport } = setup({ honourSignal: false });
    const failures = [rejectionOf(transport.send(new Request(REFRESH_URL), true)), rejectionOf(transport.send(new Request(REFRESH_URL), false))];
    await clock.flush();
    transport.abortAll();
    const errors = await Promise.all(failures);
    expect(errors.map((error) => [error.code, isStopped(error)])).toEqual([
      ['auth/network', true],
      ['auth/network', true],
    ]);
  });

  it('spares a lasting request (a refresh on the wire) when the client unmounts, and aborts it when it is destroyed', async () => {
    const { clock, transport, answers, seen } = setup();
    const lasting = transport.send(new Request(REFRESH_URL), true, true);
    const other = rejectionOf(transport.send(new Request(REFRESH_URL), true));
    await clock.flush();
    transport.abortAll(true);
    expect(isStopped(await other)).toBe(true);
    expect(seen[0]!.signal.aborted).toBe(false);
    answers[0]!(new Response('{}'));
    expect((await lasting).response.status).toBe(200);
    const destroyed = rejectionOf(transport.send(new Request(REFRESH_URL), true, true));
    await clock.flush();
    transport.abortAll();
    expect(isStopped(await destroyed)).toBe(true);
  });

  it('aborts the signals of the requests in flight on abortAll()', async () => {
    const { clock, transport, seen } = setup();
    const sent = transport.send(new Request(REFRESH_URL), false).catch(() => undefined);
    await clock.flush();
    transport.abortAll();
    await sent;
    expect(seen[0]!.signal.aborted).toBe(true);
  });

  it('does not take a timeout for a stop', async () => {
    const { clock, transport } = setup();
    const failure = rejectionOf(transport.send(new Request(REFRESH_URL), true));
    await clock.advance(TIMEOUT_MS);
    expect(isStopped(await failure)).toBe(false);
  });

  it('leaves a request that already answered alone on abortAll()', async () => {
    const { clock, transport, answers, seen } = setup();
    const sent = transport.send(new Request(REFRESH_URL), true);
    await clock.flush();
    answers[0]!(new Response('{}'));
    await sent;
    transport.abortAll();
    expect(seen[0]!.signal.aborted).toBe(false);
  });

  describe('without DOMException (React Native has none)', () => {
    const original = globalThis.DOMException;
    afterEach(() => {
      globalThis.DOMException = original;
    });

    it('still times out and stops with auth/network, with plain reasons as the cause', async () => {
      // @ts-expect-error: deleted on purpose, restored after the test
      delete globalThis.DOMException;
      const { clock, transport } = setup();
      const timedOut = rejectionOf(transport.send(new Request(REFRESH_URL), true));
      const stopped = rejectionOf(transport.send(new Request(REFRESH_URL), false));
      await clock.advance(TIMEOUT_MS);
      transport.abortAll();
      const errors = await Promise.all([timedOut, stopped]);
      expect(errors.map((error) => [error.code, (error.cause as { name: string }).name])).toEqual([
        ['auth/network', 'TimeoutError'],
        ['auth/network', 'AbortError'],
      ]);
      expect(errors[1]!.cause).toBe(STOPPED);
    });
  });
});

describe('resolveUrl', () => {
  it.each([
    ['an absolute URL, untouched', 'https://x/v1', 'https://other.test/me?x=1', 'https://other.test/me?x=1'],
    ["any path with a '' base, untouched", '', '/auth/login', '/auth/login'],
    ["a relative path with a '' base, untouched", '', 'api/todos', 'api/todos'],
    ['/path appended to the base, prefix kept', 'https://x/v1', '/auth/login', 'https://x/v1/auth/login'],
    ['a relative path under the base as a directory', 'https://x/v1', 'api/todos', 'https://x/v1/api/todos'],
    ['../ out of the base directory', 'https://x/v1', '../x', 'https://x/x'],
    ['a relative path under a relative base', '/api', 'todos', '/api/todos'],
    ['/path appended to a relative base', '/api', '/todos', '/api/todos'],
    ['the query string of an appended path', 'https://x/v1', '/todos?page=2&q=a%20b', 'https://x/v1/todos?page=2&q=a%20b'],
    ['the query string of a relative path', 'https://x/v1', 'todos?page=2', 'https://x/v1/todos?page=2'],
    ['the query string and hash under a relative base', '/api', 'todos?page=2#top', '/api/todos?page=2#top'],
  ])('resolves %s', (_label, baseUrl, path, expected) => {
    expect(resolveUrl(baseUrl, path)).toBe(expected);
  });
});

describe('originOf', () => {
  it('gives the origin of an absolute URL', () => {
    expect(originOf('https://api.example.com:8443/v1/auth')).toBe('https://api.example.com:8443');
  });

  it("resolves a relative URL against the page's location", () => {
    expect(originOf('/auth/login')).toBe(location.origin);
  });

  it('gives null for a URL that cannot be parsed', () => {
    expect(originOf('http://[not-an-ip')).toBeNull();
  });
});
