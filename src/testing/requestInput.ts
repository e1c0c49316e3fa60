import type { FakeAuthServerOptions } from './fakeAuthTypes';
import type { ServerFlavour, WireReply } from './flavours';

/** Cookie name the refresh token travels in when the server uses cookies. */
export const REFRESH_COOKIE_NAME = 'refreshToken';

/** The refresh token a request presented, or the flavour's reply refusing it. */
export type RefreshInput = { kind: 'token'; token: string } | { kind: 'refused'; reply: WireReply };

/** The token of an `Authorization: Bearer <token>` header, or `null`. */
export function bearerToken(request: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('Authorization') ?? '');
  return match?.[1] ?? null;
}

/** Reads the refresh token from the body (as the flavour words it) and/or the cookie, as `from` allows. */
export async function readRefreshInput(
  request: Request,
  cookies: Readonly<Record<string, string>>,
  from: NonNullable<FakeAuthServerOptions['refreshTokenFrom']>,
  flavour: ServerFlavour,
): Promise<RefreshInput> {
  if (from !== 'cookie') {
    const read = await flavour.readRefresh(request);
    if ('reply' in read) return { kind: 'refused', reply: read.reply };
    if (read.token !== null) return { kind: 'token', token: read.token };
  }
  if (from !== 'body') {
    const token = cookies[REFRESH_COOKIE_NAME];
    if (token) return { kind: 'token', token };
  }
  return { kind: 'refused', reply: flavour.fail('refreshTokenRequired') };
}
