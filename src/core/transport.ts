import type { Clock, TimerHandle } from './clock';
import { AuthError } from './errors';

/** Why a request was given up: the client stopped (unmounted or destroyed). Not an Error: nothing to report. */
export const STOPPED = { name: 'AbortError', message: 'The auth client stopped.' } as const;

/** True when this error only says that the client stopped while the request was in flight. */
export const isStopped = (error: AuthError) => error.cause === STOPPED;

/** What an answer brought, with the local times around it and the server's clock where it said. */
export interface Answer {
  response: Response;
  /** Local `now()` when the request was sent. */
  sentAt: number;
}

export interface TransportOptions {
  fetch: typeof fetch;
  clock: Clock;
  timeoutMs: number;
}

export interface Transport {
  /**
   * Sends a request. A failure to get any answer (offline, CORS, DNS, the timeout, the
   * client stopping) is `auth/network`. With `timeout`, gives up after the request timeout.
   * A `lasting` request (a refresh: its answer holds the only copy of the rotated tokens)
   * goes on when the client is unmounted, and is aborted only when it is destroyed.
   */
  send(request: Request, timeout: boolean, lasting?: boolean): Promise<Answer>;
  /** Aborts the requests in flight: every one when the client is destroyed, all but the lasting ones when it is unmounted. */
  abortAll(unmounting?: boolean): void;
}

/** `fetch` with a timeout on the injected clock and one switch that aborts everything in flight. */
export function createTransport({ fetch, clock, timeoutMs }: TransportOptions): Transport {
  const inFlight = new Map<(reason: unknown, detail: string) => void, boolean>();

  function send(request: Request, timeout: boolean, lasting = false): Promise<Answer> {
    const controller = new AbortController();
    const sentAt = clock.now();
    let timer: TimerHandle | undefined;
    let abort!: (reason: unknown, detail: string) => void;
    // Raced as well as aborted: a custom fetch may ignore the signal. No DOMException: React
    // Native has none, so the reasons are plain values.
    const given = new Promise<never>((_, reject) => {
      abort = (reason, detail) => {
        controller.abort(reason);
        reject(new AuthError('auth/network', { cause: reason, detail }));
      };
    });
    inFlight.set(abort, lasting);
    // The caller's own signal (React Query's cancellation, say) still cancels the request.
    const own = request.signal as AbortSignal | undefined;
    if (own?.aborted) abort(own.reason, 'the request was aborted.');
    else own?.addEventListener?.('abort', () => abort(own.reason, 'the request was aborted.'), { once: true });
    if (timeout) timer = clock.setTimeout(() => abort({ name: 'TimeoutError', message: 'The request timed out.' }, 'the request timed out.'), timeoutMs);
    // Called unbound, as the global fetch must be: `fetch: window.fetch` is a valid option.
    const fetchOnce = fetch;
    const answer = Promise.resolve()
      .then(() => fetchOnce(new Request(request, { signal: controller.signal })))
      .then(
        (response) => ({ response, sentAt }),
        (cause: unknown) => {
          throw new AuthError('auth/network', { cause });
        },
      );
    return Promise.race([answer, given]).finally(() => {
      clock.clearTimeout(timer);
      inFlight.delete(abort);
    });
  }

  return {
    send,
    abortAll(unmounting = false) {
      inFlight.forEach((lasting, abort) => (unmounting && lasting) || abort(STOPPED, 'the client stopped.'));
    },
  };
}

const ABSOLUTE = /^[a-z][a-z\d+.-]*:/i;

/**
 * Where a path goes. Absolute URLs stay as they are; a path starting with `/` is appended
 * to `baseUrl` (its documented prefix role: `https://api.example.com/v1` + `/auth/login`);
 * any other path resolves with URL semantics against `baseUrl` taken as a directory
 * (`api/todos` is `…/v1/api/todos`, `../x` is `…/x`).
 */
export function resolveUrl(baseUrl: string, path: string): string {
  if (ABSOLUTE.test(path) || baseUrl === '') return path;
  if (path.startsWith('/')) return baseUrl + path;
  if (ABSOLUTE.test(baseUrl)) return new URL(path, baseUrl + '/').href;
  // A relative baseUrl ('/api'): resolve on a placeholder origin, keep only the path.
  const resolved = new URL(path, `http://placeholder.invalid${baseUrl.startsWith('/') ? '' : '/'}${baseUrl}/`);
  return resolved.pathname + resolved.search + resolved.hash;
}

/** The origin of a URL, or null when it has none that can be known here (a relative URL outside a page). */
export function originOf(url: string): string | null {
  const base = typeof location == 'undefined' ? undefined : location.href;
  try {
    return new URL(url, base).origin;
  } catch {
    return null;
  }
}
