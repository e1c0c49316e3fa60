import { isRecord } from './contractData';
import type { FakeAuthServer } from './fakeAuthServer';
import type { AuthHandlersControl, InjectedFailure } from './fakeAuthTypes';
import { ENDPOINTS, type FakeEndpoint } from './routes';

/** An HTTP route that steers the fake server, for tests that drive it from another process. */
export interface AdminRoute {
  method: 'GET' | 'POST';
  path: string;
}

type AdminAction = (control: AuthHandlersControl, body: Record<string, unknown>) => unknown;

function endpointOf(value: unknown, allowAll: boolean): FakeEndpoint | 'all' {
  if ((allowAll && value === 'all') || ENDPOINTS.includes(value as FakeEndpoint)) return value as FakeEndpoint | 'all';
  throw new TypeError(`endpoint must be one of ${ENDPOINTS.join(', ')}${allowAll ? ', all' : ''}`);
}

function numberOf(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  return value;
}

function optionalNumberOf(body: Record<string, unknown>, name: string): number | undefined {
  return body[name] === undefined ? undefined : numberOf(body, name);
}

function failureOf(value: unknown): InjectedFailure {
  if (value === 'network') return value;
  if (isRecord(value) && typeof value.status === 'number') {
    const { status, body, contentType } = value;
    if (contentType !== undefined && typeof contentType !== 'string') throw new TypeError('contentType must be a string');
    return { status, body, contentType };
  }
  throw new TypeError("failure must be 'network' or { status, body?, contentType? }");
}

// GET routes answer JSON; POST routes act and answer 204 with no body.
const ACTIONS: Readonly<Record<string, { method: AdminRoute['method']; run: AdminAction }>> = {
  '/__admin/counts': {
    method: 'GET',
    run: (control) => ({
      counts: control.counts(),
      spentRefreshTokenRequests: control.spentRefreshTokenRequests(),
      expiredAccessTokenRequests: control.expiredAccessTokenRequests(),
    }),
  },
  '/__admin/requests': { method: 'GET', run: (control) => ({ requests: control.requests() }) },
  '/__admin/reset': { method: 'POST', run: (control) => control.reset() },
  '/__admin/revoke-all': { method: 'POST', run: (control) => control.revokeAll() },
  '/__admin/lifetimes': {
    method: 'POST',
    run: (control, body) =>
      control.setLifetimes({
        accessTokenTtl: optionalNumberOf(body, 'accessTokenTtl'),
        refreshTokenTtl: optionalNumberOf(body, 'refreshTokenTtl'),
      }),
  },
  '/__admin/fail-next': {
    method: 'POST',
    run: (control, body) =>
      control.failNext(
        endpointOf(body.endpoint, false) as FakeEndpoint,
        body.count === undefined ? 1 : numberOf(body, 'count'),
        failureOf(body.failure),
      ),
  },
  '/__admin/latency': {
    method: 'POST',
    run: (control, body) => control.setLatency(endpointOf(body.endpoint, true), numberOf(body, 'ms')),
  },
  '/__admin/response-delay': {
    method: 'POST',
    run: (control, body) => control.setResponseDelay(endpointOf(body.endpoint, true), numberOf(body, 'ms')),
  },
};

/**
 * Lists the admin routes, all under `/__admin`: `GET counts` (per-endpoint counts, and how many
 * requests used a spent refresh token or an expired access token), `GET requests` (the
 * log), and `POST reset`, `revoke-all`, `lifetimes` (`{ accessTokenTtl?, refreshTokenTtl? }`
 * in seconds), `fail-next` (`{ endpoint, count?, failure }`), `latency` and
 * `response-delay` (`{ endpoint, ms }`), each the {@link AuthHandlersControl} method of
 * that name.
 */
export function listAdminRoutes(): AdminRoute[] {
  return Object.entries(ACTIONS).map(([path, { method }]) => ({ method, path }));
}

async function readBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TypeError('Request body is not valid JSON');
  }
  if (!isRecord(body)) throw new TypeError('Request body must be a JSON object');
  return body;
}

/**
 * Answers a request to an admin route, or `null` when `path` is not one. Bad input is a
 * 400 with the contract's error envelope; a wrong method is a 405.
 */
export async function handleAdmin(server: FakeAuthServer, path: string, request: Request): Promise<Response | null> {
  const action = Object.hasOwn(ACTIONS, path) ? ACTIONS[path] : undefined;
  if (action === undefined) return null;
  const { replies, control } = server;
  if (request.method !== action.method) {
    const response = replies.error(405, { message: `Use ${action.method}`, code: 'auth/method_not_allowed' });
    response.headers.set('Allow', action.method);
    return response;
  }
  try {
    const result = action.run(control, action.method === 'POST' ? await readBody(request) : {});
    return action.method === 'GET' ? replies.json(result) : replies.raw(null, 204);
  } catch (error) {
    // TypeError: a body the route cannot use; RangeError: a value the control refuses.
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    return replies.error(400, { message: error.message, code: 'auth/bad_request' });
  }
}
