import type { Clock } from '../core/clock';
import type { ErrorEnvelope } from './contractData';
import type { InjectedFailure, ResponseFactory } from './fakeAuthTypes';

// The Fetch spec forbids a body on these statuses; `new Response(body, …)` throws.
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

// Body of an injected status failure when the test gives none.
const DEFAULT_FAILURE_BODY = { message: 'Injected failure' };

const JSON_TYPE = 'application/json';

/** Builds every response the fake server sends, so each carries the same headers. */
export interface Replies {
  /** `body` as JSON with `status` (default 200) and any extra headers. */
  json(body: unknown, status?: number, headers?: Record<string, string>): Response;
  /** The contract's error envelope with `status`. */
  error(status: number, envelope: ErrorEnvelope): Response;
  /** `body` as is, with `contentType`; `null` for an empty body. */
  raw(body: string | Uint8Array<ArrayBuffer> | null, status: number, contentType?: string): Response;
  /** What an injected failure sends: `Response.error()` for `'network'`. */
  failure(failure: InjectedFailure): Response;
  /** Adds the server's `Date` to a response built elsewhere (a test's override) that has none. */
  stamp(response: Response): Response;
}

/** Settings of {@link createReplies}. */
export interface RepliesOptions {
  clock: Clock;
  dateHeader: boolean;
  createResponse: ResponseFactory;
}

/** The default {@link ResponseFactory}: the platform's `Response`. */
export const platformResponse: ResponseFactory = (body, init) => new Response(body, init);

/**
 * Creates the response builder of one fake server: `Content-Type` and `Content-Length` on
 * every body, and (unless turned off) a `Date` from the server clock in IMF-fixdate, whole
 * seconds, as RFC 9110 §6.6.1 asks of origin servers.
 *
 * @example
 * const replies = createReplies({ clock, dateHeader: true, createResponse: platformResponse });
 * return replies.error(401, ERRORS.unauthorized);
 */
export function createReplies({ clock, dateHeader, createResponse }: RepliesOptions): Replies {
  const encoder = new TextEncoder();
  const httpDate = (): string => new Date(clock.now()).toUTCString();

  function build(body: string | Uint8Array<ArrayBuffer> | null, status: number, headers: Headers): Response {
    if (dateHeader) headers.set('Date', httpDate());
    if (NULL_BODY_STATUSES.has(status)) return createResponse(null, { status, headers });
    if (body !== null) {
      const length = typeof body === 'string' ? encoder.encode(body).byteLength : body.byteLength;
      headers.set('Content-Length', String(length));
    }
    return createResponse(body, { status, headers });
  }

  function json(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
    const headers = new Headers(extra);
    headers.set('Content-Type', JSON_TYPE);
    return build(JSON.stringify(body), status, headers);
  }

  function raw(body: string | Uint8Array<ArrayBuffer> | null, status: number, contentType?: string): Response {
    const headers = new Headers();
    if (contentType !== undefined) headers.set('Content-Type', contentType);
    return build(body, status, headers);
  }

  return {
    json,
    raw,
    error: (status, envelope) => json(envelope, status),
    failure(failure) {
      if (failure === 'network') return Response.error();
      const { status, body, contentType } = failure;
      if (NULL_BODY_STATUSES.has(status)) return raw(null, status);
      if (contentType !== undefined) {
        return raw(typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body), status, contentType);
      }
      return json(body === undefined ? DEFAULT_FAILURE_BODY : body, status);
    },
    stamp(response) {
      if (!dateHeader || response.type === 'error' || response.headers.has('Date')) return response;
      try {
        response.headers.set('Date', httpDate());
      } catch {
        // Headers of a fetched response are immutable: it keeps the headers it came with.
      }
      return response;
    },
  };
}
