import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './adminRoutes';
import { createFakeAuthServer, type FakeAuthServer } from './fakeAuthServer';
import { flavourPaths } from './flavours';
import type { AuthHandlersControl, FakeAuthServerOptions } from './fakeAuthTypes';
import { ENDPOINT_METHODS, ENDPOINTS, endpointUrls, refreshCookiePath, type FakeEndpoint } from './routes';
import { createStaticFiles, type StaticFile } from './staticFiles';

/** Options of {@link startAuthServer}. Every field is optional. */
export interface AuthServerOptions extends FakeAuthServerOptions {
  /**
   * Address to listen on. Default `'127.0.0.1'`: reachable from this machine only. The admin
   * routes take no credentials, so listen wider only on a network you trust.
   */
  host?: string;
  /** Port to listen on. Default `0`: a free port the system picks; read it from `url`. */
  port?: number;
  /** Path of each endpoint. Default: the flavour's (the contract's: `/auth/login`, ...). */
  paths?: Partial<Record<FakeEndpoint, string>>;
  /** Serve the `/__admin/*` routes listed on {@link startAuthServer}. Default `true`. */
  adminRoutes?: boolean;
  /** Serve the files of this directory on GET, so a test page and its script share the server's origin. */
  staticDir?: string;
  /** Files served from memory by request path (`{ '/': html, '/app.js': bundle }`), before `staticDir`. */
  static?: Readonly<Record<string, StaticFile>>;
}

/** A running reference server; see {@link startAuthServer}. */
export interface AuthServer {
  /** Origin the server listens on, e.g. `http://127.0.0.1:41234`; pass it as the client's `baseUrl`. */
  url: string;
  /** The URL of each endpoint. */
  urls: Record<FakeEndpoint, string>;
  /** The same control as `createAuthHandlers`' (and as the admin routes), in process. */
  control: AuthHandlersControl;
  /** Stops listening and drops open connections, answered or not. Calling it again is harmless. */
  close(): Promise<void>;
}

// Node's own Date would come from the real clock; the fake server sends one from its clock.
const NODE_SENDS_DATE = false;

// Hop-by-hop and framing headers: they describe the node connection, not the Fetch request.
const CONNECTION_HEADERS: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length']);

const INTERNAL_ERROR = { message: 'Internal server error', code: 'auth/internal' };
const NOT_FOUND = { message: 'Not found', code: 'auth/not_found' };

async function readBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

async function toFetchRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!CONNECTION_HEADERS.has(name.toLowerCase())) headers.append(name, req.rawHeaders[i + 1]!);
  }
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  return new Request(new URL(req.url ?? '/', origin), { method, headers, body: body?.byteLength ? body : undefined });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  if (response.type === 'error') {
    // An injected network failure: the client sees the connection reset, as with a dead proxy.
    res.destroy();
    return;
  }
  const body = response.body === null ? null : Buffer.from(await response.arrayBuffer());
  if (res.destroyed) return;
  res.statusCode = response.status;
  res.statusMessage = response.statusText || STATUS_CODES[response.status] || '';
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
  res.end(body);
}

/**
 * Routes one node request: an endpoint to the fake server, then the admin routes, then the
 * static files; anything else is a 404 in the contract's error envelope.
 */
function createRouter(fake: FakeAuthServer, options: AuthServerOptions) {
  const paths = endpointUrls('', options.paths, flavourPaths(options.flavour));
  const findFile = options.staticDir !== undefined || options.static !== undefined
    ? createStaticFiles({ dir: options.staticDir, files: options.static })
    : undefined;
  const adminRoutes = options.adminRoutes ?? true;

  return async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const endpoint = ENDPOINTS.find((candidate) => paths[candidate] === pathname);
    if (endpoint !== undefined) {
      const method = ENDPOINT_METHODS[endpoint];
      if (request.method === method) return fake.handle(endpoint, request);
      const refused = fake.replies.error(405, { message: `Use ${method}`, code: 'auth/method_not_allowed' });
      refused.headers.set('Allow', method);
      return refused;
    }
    const admin = adminRoutes ? await handleAdmin(fake, pathname, request) : null;
    if (admin !== null) return admin;
    const file = request.method === 'GET' && findFile ? await findFile(pathname) : null;
    if (file !== null) return fake.replies.raw(file.body, 200, file.contentType);
    return fake.replies.error(404, NOT_FOUND);
  };
}

/**
 * Starts the reference auth server on node:http: the same contract, from the same
 * implementation (`createFakeAuthServer`) as the msw handlers, reachable over real HTTP
 * by any process, a browser included. Bound to 127.0.0.1 on a free port by default.
 *
 * Besides the contract's endpoints it serves the admin routes (`GET /__admin/counts`,
 * `GET /__admin/requests`, `POST /__admin/reset`, `/__admin/revoke-all`,
 * `/__admin/lifetimes`, `/__admin/fail-next`, `/__admin/latency`,
 * `/__admin/response-delay`) and, when asked, static files on the same origin. An
 * injected network failure destroys the socket. Node's own `Date` header is replaced by
 * the server clock's (see `dateHeader`).
 *
 * @example
 * const server = await startAuthServer({ accessTokenTtl: 4, staticDir: 'test/e2e/page' });
 * const client = createAuthClient({ baseUrl: server.url });
 * // ... from a page: await fetch('/__admin/counts')
 * await server.close();
 */
export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const { host = '127.0.0.1', port = 0 } = options;
  const paths = endpointUrls('', options.paths, flavourPaths(options.flavour));
  const fake = createFakeAuthServer({ ...options, cookiePath: refreshCookiePath(paths.refresh) });
  const route = createRouter(fake, options);
  let origin = '';
  let closed: Promise<void> | undefined;

  const server = createServer((req, res) => {
    res.sendDate = NODE_SENDS_DATE;
    toFetchRequest(req, origin)
      .then(route)
      .catch(() => fake.replies.error(500, INTERNAL_ERROR))
      .then((response) => send(res, response))
      .catch(() => res.destroy());
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: origin,
    urls: endpointUrls(origin, options.paths, flavourPaths(options.flavour)),
    control: fake.control,
    close: () => {
      closed ??= new Promise<void>((resolveClose, rejectClose) => {
        server.close((error) => (error ? rejectClose(error) : resolveClose()));
        // Keep-alive sockets and answers held by a delay would keep close() waiting forever.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
