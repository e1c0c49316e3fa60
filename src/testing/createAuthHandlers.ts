import { http, HttpResponse, type DefaultBodyType, type HttpHandler } from 'msw';
import { handleAdmin, listAdminRoutes } from './adminRoutes';
import { createFakeAuthServer } from './fakeAuthServer';
import { flavourPaths } from './flavours';
import type { AuthHandlersControl, FakeAuthServerOptions, ResponseFactory } from './fakeAuthTypes';
import { ENDPOINT_METHODS, ENDPOINTS, endpointUrls, joinUrl, refreshCookiePath, type FakeEndpoint } from './routes';

export type { FakeEndpoint } from './routes';
export type {
  AuthHandlersControl,
  AuthSessionBody,
  InjectedFailure,
  RequestLogEntry,
  ResponseOverride,
  TestUser,
} from './fakeAuthTypes';

/** Options for {@link createAuthHandlers}. Every field is optional. */
export interface AuthHandlersOptions extends FakeAuthServerOptions {
  /** Origin (and optional path prefix) the handlers match; `''` matches relative paths. */
  baseUrl?: string;
  /** Path of each endpoint, appended to `baseUrl`. Default: the flavour's. */
  paths?: Partial<Record<FakeEndpoint, string>>;
  /**
   * Also answer the admin routes `startAuthServer` serves (`/__admin/counts` and the rest,
   * under `baseUrl`), for a page that steers its server over HTTP. Default `false`.
   */
  adminRoutes?: boolean;
}

/** What {@link createAuthHandlers} returns. */
export interface AuthHandlers {
  /** Pass to `setupServer(...handlers)` or `setupWorker(...handlers)`. */
  handlers: HttpHandler[];
  /** Steers and observes the fake server behind the handlers. */
  control: AuthHandlersControl;
  /** The URL each handler matches. */
  urls: Record<FakeEndpoint, string>;
}

// Absolute so the handlers match in Node, where there is no page origin to resolve against.
const DEFAULT_BASE_URL = 'http://localhost';

// msw's own Response subclass: its Set-Cookie survives in the browser and feeds msw's cookie jar.
const mswResponse: ResponseFactory = (body, init) => new HttpResponse(body as DefaultBodyType, init);

// msw's way to say "drop the connection" for the core's `Response.error()`.
const toMsw = (response: Response): Response => (response.type === 'error' ? HttpResponse.error() : response);

/**
 * Creates msw v2 handlers for a realistic fake auth server that speaks the package's wire
 * contract (or another `flavour`: OAuth 2.0, mapped JSON): signed HS256 JWTs (or opaque tokens), strict refresh-token rotation with reuse detection, expiry
 * on an injectable clock, and a `control` object to inject failures, latency and
 * revocations and to observe traffic. Runs in Node and in the browser. The server itself
 * is `createFakeAuthServer`; these handlers only route requests to it.
 *
 * @example
 * const clock = createTestClock();
 * const { handlers, control } = createAuthHandlers({ clock });
 * const server = setupServer(...handlers);
 * server.listen();
 * control.failNext('refresh', 1, 'network');
 * await clock.advance(15 * 60_000); // access tokens issued before now have expired
 */
export function createAuthHandlers(options: AuthHandlersOptions = {}): AuthHandlers {
  const { baseUrl = DEFAULT_BASE_URL, paths, adminRoutes = false, ...serverOptions } = options;
  const urls = endpointUrls(baseUrl, paths, flavourPaths(serverOptions.flavour));
  const server = createFakeAuthServer({
    ...serverOptions,
    cookiePath: refreshCookiePath(urls.refresh),
    createResponse: mswResponse,
  });

  // One handler per URL: where login and refresh share a token endpoint, the server tells them apart.
  const endpoints = ENDPOINTS.filter((endpoint, i) => ENDPOINTS.findIndex((other) => urls[other] === urls[endpoint]) === i);
  const handlers: HttpHandler[] = endpoints.map((endpoint) => {
    const route = ENDPOINT_METHODS[endpoint] === 'POST' ? http.post : http.get;
    return route(urls[endpoint], async ({ request, cookies }) => toMsw(await server.handle(endpoint, request, cookies)));
  });
  if (adminRoutes) {
    // Every method, so a wrong one gets the same 405 as from startAuthServer.
    for (const { path } of listAdminRoutes()) {
      handlers.push(http.all(joinUrl(baseUrl, path), async ({ request }) => (await handleAdmin(server, path, request)) ?? undefined));
    }
  }
  return { handlers, control: server.control, urls };
}
