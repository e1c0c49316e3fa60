import { AuthError, type AuthErrorCode } from '../errors';
import { isRecord, stringAt, type AuthProtocol, type Credentials, type ErrorResponseInfo, type ProtocolRequest } from '../protocol';

/** An RFC 6749 §5.2 error body: `error` for programs, `error_description` for people. */
export interface OAuth2ErrorBody {
  error: string;
  error_description?: string | undefined;
}

/** Options of {@link oauth2}. */
export interface OAuth2Options {
  /** The token endpoint (RFC 6749 §3.2): login (§4.3) and refresh (§6) both post there. */
  tokenPath: string;
  /** The client identifier (§2.2). */
  clientId: string;
  /**
   * A confidential client's password, sent with HTTP Basic (§2.3.1). A browser app is a
   * public client: anything it ships is readable, so leave this out there.
   */
  clientSecret?: string | undefined;
  /** The scope asked at login (§3.3): a space-separated string or a list. */
  scope?: string | readonly string[] | undefined;
  /** The user: GET with the bearer token (an OpenID Connect userinfo endpoint, or your API's me). */
  mePath: string;
  /** Optional: a revocation endpoint (RFC 7009); logout revokes the refresh token there. */
  revocationPath?: string | undefined;
  /**
   * OAuth 2.0 refuses an expired and a revoked refresh token alike (`invalid_grant`): a
   * refused refresh ends the session as `revoked` unless this reads your server's words.
   */
  endReason?: ((error: OAuth2ErrorBody) => 'expired' | 'revoked') | undefined;
}

// What `application/x-www-form-urlencoded` makes of one value (RFC 6749 Appendix B).
const formEncode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);

/** The `error` of an RFC 6750 §3 bearer challenge, quoted or (RFC 7235 allows it) a bare token. */
const challengeError = (header: string): string | undefined => {
  const match = /\berror=(?:"([^"]*)"|([^\s,]+))/.exec(header);
  return match?.[1] ?? match?.[2];
};

/**
 * The OAuth 2.0 token endpoint, exactly as RFC 6749 has it: the resource owner password
 * grant (§4.3) to log in, the refresh token grant (§6) to refresh, form-encoded, with the
 * client authenticated by `client_id` (a public client) or HTTP Basic (with `clientSecret`,
 * §2.3.1). Answers are §5.1 `{ access_token, token_type, expires_in, refresh_token }`
 * (an answer without `refresh_token` keeps the current one); errors are §5.2: `invalid_grant`
 * at login is a wrong password, at refresh a refused refresh token; every other code there
 * (`invalid_request`, `invalid_client`...) is a misconfiguration, `auth/http` with the code.
 * On me, a 401 (RFC 6750 `invalid_token`) is an ended session. Tokens are opaque: expiry
 * comes from `expires_in`.
 *
 * @example
 * createAuthClient({
 *   baseUrl: 'https://auth.example.com',
 *   protocol: oauth2({ tokenPath: '/oauth/token', clientId: 'web-app', scope: 'openid profile', mePath: '/userinfo' }),
 * });
 */
export function oauth2(options: OAuth2Options): AuthProtocol<Credentials> {
  const { tokenPath, clientId, clientSecret, mePath, revocationPath } = options;
  // An empty scope is left out, not sent as `scope=`: strict servers refuse that as invalid_scope.
  const scope = (typeof options.scope == 'string' ? options.scope : options.scope?.join(' ')) || undefined;
  // One way of authenticating the client per request (§2.3): Basic with a secret, else client_id in the body.
  const headers: Record<string, string> | undefined =
    clientSecret === undefined ? undefined : { Authorization: `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}` };
  const post = (path: string, fields: Record<string, string | undefined>): ProtocolRequest => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) body.set(name, value);
    if (clientSecret === undefined) body.set('client_id', clientId);
    return { path, body, headers };
  };
  const code = (info: ErrorResponseInfo): string | undefined =>
    (isRecord(info.body) ? stringAt(info.body.error) : undefined) ??
    challengeError(info.headers.get('WWW-Authenticate') ?? '');

  return {
    opaqueTokens: true,
    login(credentials) {
      if (typeof credentials?.username != 'string' || typeof credentials?.password != 'string') {
        throw new AuthError('auth/invalid_config', { detail: 'login needs { username, password } as strings.' });
      }
      return post(tokenPath, { grant_type: 'password', username: credentials.username, password: credentials.password, scope });
    },
    refresh: (refreshToken) => post(tokenPath, { grant_type: 'refresh_token', refresh_token: refreshToken ?? undefined }),
    me: () => ({ path: mePath }),
    logout: ({ accessToken, refreshToken }) =>
      revocationPath
        ? post(revocationPath, refreshToken ? { token: refreshToken, token_type_hint: 'refresh_token' } : { token: accessToken, token_type_hint: 'access_token' })
        : null,
    readGrant(_endpoint, body) {
      const type = body.token_type;
      // Only a bearer token (RFC 6750) can be sent as one; the type is case-insensitive (§5.1).
      if (type !== undefined && (typeof type != 'string' || type.toLowerCase() !== 'bearer')) {
        return { code: 'auth/invalid_response' };
      }
      const lifetime = body.expires_in;
      return {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        // Some servers send the number as a string.
        expiresIn: typeof lifetime == 'string' && lifetime !== '' ? Number(lifetime) : lifetime,
      };
    },
    salvageRefreshToken: (body) => (isRecord(body) ? stringAt(body.refresh_token) : undefined),
    readError(info) {
      const serverCode = code(info);
      const { endpoint, status } = info;
      let known: AuthErrorCode = 'auth/http';
      if (serverCode === 'invalid_grant' && endpoint === 'login') known = 'auth/invalid_credentials';
      else if (serverCode === 'invalid_grant' && endpoint === 'refresh') known = 'auth/refresh_rejected';
      else if (endpoint === 'me' && status === 401) known = 'auth/session_expired';
      const description = isRecord(info.body) ? stringAt(info.body.error_description) : undefined;
      const endReason = known === 'auth/refresh_rejected' ? options.endReason?.({ error: serverCode!, error_description: description }) : undefined;
      return { code: known, serverCode, endReason };
    },
  };
}
