import { ERRORS, isRecord, type ErrorEnvelope } from './contractData';
import type { FakeAuthServerOptions } from './fakeAuthTypes';

/** Cookie name the refresh token travels in when the server uses cookies. */
export const REFRESH_COOKIE_NAME = 'refreshToken';

/** The refresh token a request presented, or why it presented none usable. */
export type RefreshInput = { kind: 'token'; token: string } | { kind: 'bad_request'; error: ErrorEnvelope };

/** The token of an `Authorization: Bearer <token>` header, or `null`. */
export function bearerToken(request: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('Authorization') ?? '');
  return match?.[1] ?? null;
}

/**
 * Reads the refresh token from the JSON body and/or the cookie, as `from` allows. A
 * non-empty body is read first; it must be JSON, and a `refreshToken` field in it must be
 * a non-empty string.
 */
export async function readRefreshInput(
  request: Request,
  cookies: Readonly<Record<string, string>>,
  from: NonNullable<FakeAuthServerOptions['refreshTokenFrom']>,
): Promise<RefreshInput> {
  if (from !== 'cookie') {
    const text = await request.text();
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { kind: 'bad_request', error: ERRORS.invalidJson };
      }
      const token = isRecord(body) ? body.refreshToken : undefined;
      if (typeof token === 'string' && token !== '') return { kind: 'token', token };
      if (token !== undefined) return { kind: 'bad_request', error: ERRORS.refreshTokenRequired };
    }
  }
  if (from !== 'body') {
    const token = cookies[REFRESH_COOKIE_NAME];
    if (token) return { kind: 'token', token };
  }
  return { kind: 'bad_request', error: ERRORS.refreshTokenRequired };
}
