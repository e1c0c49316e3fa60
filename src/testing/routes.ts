/** The endpoints the fake server implements. */
export type FakeEndpoint = 'login' | 'refresh' | 'me' | 'todos';

/** Every endpoint, in the order handlers are registered. */
export const ENDPOINTS: readonly FakeEndpoint[] = ['login', 'refresh', 'me', 'todos'];

/** The HTTP method each endpoint answers. */
export const ENDPOINT_METHODS: Readonly<Record<FakeEndpoint, 'GET' | 'POST'>> = {
  login: 'POST',
  refresh: 'POST',
  me: 'GET',
  todos: 'GET',
};

// The paths of the wire contract (README, "The wire contract"), plus a protected data endpoint for demos.
/** The path of each endpoint when none is configured. */
export const DEFAULT_PATHS: Readonly<Record<FakeEndpoint, string>> = {
  login: '/auth/login',
  refresh: '/auth/refresh',
  me: '/auth/me',
  todos: '/api/todos',
};

/** `baseUrl` and `path` joined with exactly one slash between them. */
export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

/** Each endpoint's URL: `paths` (over the defaults, the flavour's when given) under `baseUrl`. */
export function endpointUrls(
  baseUrl: string,
  paths: Partial<Record<FakeEndpoint, string>> = {},
  defaults: Readonly<Record<FakeEndpoint, string>> = DEFAULT_PATHS,
): Record<FakeEndpoint, string> {
  const merged = { ...defaults, ...paths };
  return {
    login: joinUrl(baseUrl, merged.login),
    refresh: joinUrl(baseUrl, merged.refresh),
    me: joinUrl(baseUrl, merged.me),
    todos: joinUrl(baseUrl, merged.todos),
  };
}

/** The directory of the refresh URL's path, so the browser sends the cookie to it. */
export function refreshCookiePath(refreshUrl: string): string {
  const path = /^[a-z][a-z\d+.-]*:\/\//i.test(refreshUrl) ? new URL(refreshUrl).pathname : refreshUrl;
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/**
 * The name/value pairs of a `Cookie` request header. A value that is not valid
 * percent-encoding is kept as sent; the first of two same-named cookies wins, as browsers
 * send the most specific path first (RFC 6265 §5.4).
 */
export function parseCookieHeader(header: string | null): Record<string, string> {
  // A Map, then fromEntries: a cookie named `__proto__` becomes a plain own property.
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    const name = pair.slice(0, Math.max(separator, 0)).trim();
    if (name === '' || cookies.has(name)) continue;
    const raw = pair.slice(separator + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return Object.fromEntries(cookies);
}
