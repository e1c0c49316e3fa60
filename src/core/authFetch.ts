import { AuthError } from './errors';
import { originOf, resolveUrl } from './transport';

export interface AuthFetchOptions {
  baseUrl: string;
  /** Origins besides `baseUrl`'s that may see the bearer token. */
  allowedOrigins: readonly string[];
  getAccessToken(): Promise<string | null>;
  /** The access token of the session now, after any refresh. */
  currentToken(): string | null;
  refresh(): Promise<void>;
  send(request: Request): Promise<Response>;
}

function withToken(request: Request, token: string): Request {
  const headers = new Headers(request.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

/**
 * `fetch` with the bearer token for `baseUrl`'s origin (and `allowedOrigins`): a 401 causes
 * one shared refresh and one retry, never a loop. A request to any other origin goes out
 * untouched: a third-party server never sees the token.
 */
export function createAuthFetch(options: AuthFetchOptions) {
  const { baseUrl, getAccessToken, currentToken, refresh, send } = options;
  const trusted = new Set([originOf(baseUrl), ...options.allowedOrigins.map(originOf)].filter((origin) => origin !== null));

  return async function authFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(typeof input === 'string' ? resolveUrl(baseUrl, input) : input, init);
    if (!trusted.has(new URL(request.url).origin)) return send(request);
    const token = await getAccessToken();
    if (token === null) throw new AuthError('auth/session_expired');
    const first = await send(withToken(request.clone(), token));
    if (first.status !== 401) return first;
    if (currentToken() === token) {
      try {
        await refresh();
      } catch {
        return first;
      }
    }
    const next = currentToken();
    if (!next || next === token) return first;
    return send(withToken(request, next));
  };
}
