import { AuthError, type AuthErrorCode } from '../errors';
import { isRecord, stringAt, type AuthProtocol, type ProtocolRequest } from '../protocol';
import { valueAt } from './valueAt';

/**
 * How an answer tells the access token's lifetime: a duration (`'seconds'`, `'milliseconds'`),
 * or an absolute time (`'epoch-seconds'`, `'epoch-milliseconds'`, or `'date'`: an ISO 8601 string).
 */
export type LifetimeUnit = 'seconds' | 'milliseconds' | 'epoch-seconds' | 'epoch-milliseconds' | 'date';

/** Options of {@link mappedJson}. Paths into answers are dotted (`'data.access_token'`). */
export interface MappedJsonOptions<TField extends string> {
  login: {
    path: string;
    /** The credential fields, sent under these names: `useLogin` takes exactly these. Default `['username', 'password']`. */
    fields?: readonly TField[];
    /** Fixed fields sent with every login: a client id, a token lifetime. */
    extra?: Record<string, unknown>;
  };
  refresh: {
    path: string;
    /** The refresh token's field in the body. Default `'refreshToken'`. */
    field?: string;
    extra?: Record<string, unknown>;
  };
  me: {
    path: string;
    /** Where the user is in me's answer. Default: the whole answer. */
    user?: string;
  };
  /** Optional: logout posts the refresh token there (under the refresh `field`) with the bearer token. */
  logout?: { path: string };
  /** Where login and refresh answers keep what they grant. */
  answer: {
    accessToken: string;
    /** Absent from an answer: the current refresh token stays. */
    refreshToken?: string;
    expires?: { path: string; unit: LifetimeUnit };
    /** Where a login answer has the user. Omitted: the user comes from me. */
    user?: string;
  };
  errors?: {
    /** Where an error answer has the server's code. Default `'code'`. */
    code?: string;
    /** Server codes that mean a wrong password at login; a 401 at login is one whatever its code. */
    invalidCredentials?: readonly string[];
    /** Server codes of a refused refresh that mean its token ran out (`expired`); any other refusal is `revoked`. */
    expired?: readonly string[];
  };
  /** The refresh token travels in an HttpOnly cookie: nothing is sent for it. */
  refreshTokenIn?: 'body' | 'cookie';
  /** The access tokens are not JWTs: expiry from `answer.expires` only. */
  opaqueTokens?: boolean;
}


/**
 * A JSON API of your own shape, described by field names and paths: the login's fields
 * (`email` instead of `username`, a one-time code, fixed extra fields), the refresh token's
 * field, and where each answer keeps the tokens, the lifetime and the user (or "the user
 * comes from me"). Errors: a 401 at login is a wrong password, 400/401/403 at refresh a
 * refused refresh token, a 401 elsewhere an ended session.
 *
 * @example
 * createAuthClient({
 *   protocol: mappedJson({
 *     login: { path: '/api/token/', fields: ['email', 'password'] },
 *     refresh: { path: '/api/token/refresh/', field: 'refresh' },
 *     me: { path: '/api/me/' },
 *     answer: { accessToken: 'access', refreshToken: 'refresh' },
 *   }),
 * });
 */
export function mappedJson<const TField extends string = 'username' | 'password'>(
  options: MappedJsonOptions<TField>,
): AuthProtocol<Record<TField, string>> {
  const { login, refresh, me, logout, answer, errors = {} } = options;
  const fields = login.fields ?? (['username', 'password'] as readonly string[] as readonly TField[]);
  const tokenField = refresh.field ?? 'refreshToken';
  const tokenBody = (refreshToken: string | null, extra?: Record<string, unknown>) => ({
    ...extra,
    ...(refreshToken === null ? {} : { [tokenField]: refreshToken }),
  });
  const serverCode = (body: unknown) => stringAt(valueAt(body, errors.code ?? 'code'));

  function expiry(body: unknown): { expiresIn?: unknown; expiresAt?: unknown } {
    if (!answer.expires) return {};
    const { path, unit } = answer.expires;
    const raw = valueAt(body, path);
    // A number sent as a string (`"900"`, Azure AD's `expires_on`) is the number it spells.
    const value = unit !== 'date' && typeof raw == 'string' && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    const ms = unit === 'milliseconds' || unit === 'epoch-milliseconds';
    const number = typeof value == 'number' ? (ms ? value : value * 1000) : unit === 'date' && typeof value == 'string' ? Date.parse(value) : value;
    // The engine takes a duration in seconds, an absolute time in ms.
    return unit === 'seconds' || unit === 'milliseconds' ? { expiresIn: typeof number == 'number' ? number / 1000 : number } : { expiresAt: number };
  }

  return {
    refreshTokenIn: options.refreshTokenIn,
    opaqueTokens: options.opaqueTokens,
    login(credentials) {
      const values = fields.map((field) => credentials?.[field]);
      if (!values.every((value) => typeof value == 'string')) {
        throw new AuthError('auth/invalid_config', { detail: `login needs { ${fields.join(', ')} } as strings.` });
      }
      return { path: login.path, body: { ...login.extra, ...Object.fromEntries(fields.map((field, i) => [field, values[i]])) } };
    },
    refresh: (refreshToken) => ({ path: refresh.path, body: tokenBody(refreshToken, refresh.extra) }),
    me: () => ({ path: me.path }),
    logout: ({ accessToken, refreshToken }): ProtocolRequest | null =>
      logout ? { path: logout.path, body: tokenBody(refreshToken), headers: { Authorization: `Bearer ${accessToken}` } } : null,
    readGrant: (endpoint, body) => ({
      accessToken: valueAt(body, answer.accessToken),
      refreshToken: answer.refreshToken === undefined ? undefined : valueAt(body, answer.refreshToken),
      ...expiry(body),
      user: endpoint === 'login' && answer.user !== undefined ? valueAt(body, answer.user) : undefined,
    }),
    readUser: (body) => valueAt(body, me.user ?? ''),
    salvageRefreshToken: (body) => (answer.refreshToken === undefined ? undefined : stringAt(valueAt(body, answer.refreshToken))),
    readError({ endpoint, status, body }) {
      const code = isRecord(body) ? serverCode(body) : undefined;
      let known: AuthErrorCode = 'auth/http';
      if (endpoint === 'login' && (status === 401 || (code !== undefined && errors.invalidCredentials?.includes(code)))) known = 'auth/invalid_credentials';
      else if (endpoint === 'refresh' && (status === 400 || status === 401 || status === 403)) known = 'auth/refresh_rejected';
      else if (status === 401) known = 'auth/session_expired';
      return { code: known, serverCode: code, endReason: code !== undefined && errors.expired?.includes(code) ? 'expired' : 'revoked' };
    },
  };
}
