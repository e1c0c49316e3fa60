import { reply, type FlavourSettings, type ServerFlavour, type WireReply } from './flavourTypes';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export function oauth2Flavour({ clientId, clientSecret }: FlavourSettings): ServerFlavour {
  const oauthError = (error: string, description: string, status = 400, headers?: Record<string, string>) =>
    reply(status, { error, error_description: description }, { ...NO_STORE, ...headers });
  // RFC 6750 §3: a refused bearer token is named in WWW-Authenticate as well as in the body.
  const bearerError = (description: string) =>
    reply(401, { error: 'invalid_token', error_description: description }, {
      'WWW-Authenticate': `Bearer realm="authloop-test", error="invalid_token", error_description="${description}"`,
    });
  // §2.3.1: HTTP Basic over the form-encoded client id and secret.
  const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  function basicClient(authorization: string): [id: string, secret: string] | null {
    try {
      const [id, secret, ...rest] = atob(/^Basic\s+(\S+)$/i.exec(authorization)?.[1] ?? '').split(':');
      return id !== undefined && secret !== undefined && rest.length === 0 ? [formDecode(id), formDecode(secret)] : null;
    } catch {
      return null;
    }
  }

  /** The form fields of a token request, or the §5.2 error it earns. */
  async function tokenRequest(request: Request): Promise<URLSearchParams | WireReply> {
    if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers.get('Content-Type') ?? '')) {
      return oauthError('invalid_request', 'The token request must be application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(await request.text());
    const authorization = request.headers.get('Authorization');
    // §2.3: exactly one way of authenticating the client.
    if (authorization !== null && form.has('client_id')) return oauthError('invalid_request', 'The client authenticated twice.');
    const basic = authorization === null ? null : basicClient(authorization);
    const authenticated =
      clientSecret === undefined ? authorization === null && form.get('client_id') === clientId : basic?.[0] === clientId && basic[1] === clientSecret;
    if (!authenticated) {
      return oauthError('invalid_client', 'Client authentication failed.', 401, clientSecret === undefined ? undefined : { 'WWW-Authenticate': 'Basic realm="authloop-test"' });
    }
    return form;
  }

  return {
    paths: { login: '/oauth/token', refresh: '/oauth/token', me: '/oauth/userinfo', todos: '/api/todos' },
    opaqueTokens: true,
    refreshTokenFrom: 'body',
    async route(request) {
      const form = new URLSearchParams(await request.text());
      return form.get('grant_type') === 'refresh_token' ? 'refresh' : 'login';
    },
    async readLogin(request) {
      const form = await tokenRequest(request);
      if (!(form instanceof URLSearchParams)) return { reply: form };
      const grantType = form.get('grant_type');
      if (grantType === null) return { reply: oauthError('invalid_request', 'grant_type is missing.') };
      if (grantType !== 'password') return { reply: oauthError('unsupported_grant_type', `The grant type ${grantType} is not supported.`) };
      const username = form.get('username');
      const password = form.get('password');
      if (username === null || password === null) return { reply: oauthError('invalid_request', 'username and password are required.') };
      return { matches: (user) => user.username === username && user.password === password };
    },
    async readRefresh(request) {
      const form = await tokenRequest(request);
      if (!(form instanceof URLSearchParams)) return { reply: form };
      return { token: form.get('refresh_token') || null };
    },
    granted: ({ accessToken, refreshToken }, ttl) => ({ access_token: accessToken, token_type: 'Bearer', expires_in: ttl, refresh_token: refreshToken }),
    profile: ({ id, username, email, firstName, lastName }) => ({ sub: String(id), preferred_username: username, email, given_name: firstName, family_name: lastName }),
    fail(failure) {
      switch (failure) {
        case 'invalidCredentials':
          return oauthError('invalid_grant', 'The username or password is wrong.');
        case 'refreshTokenRequired':
          return oauthError('invalid_request', 'refresh_token is missing.');
        case 'refreshTokenExpired':
          return oauthError('invalid_grant', 'The refresh token expired.');
        case 'refreshTokenReused':
          return oauthError('invalid_grant', 'The refresh token was already used; its family is revoked.');
        case 'refreshTokenInvalid':
          return oauthError('invalid_grant', 'The refresh token is invalid.');
        case 'tokenExpired':
          return bearerError('The access token expired');
        case 'unauthorized':
          return bearerError('The access token is invalid');
      }
    },
    tokenHeaders: NO_STORE,
  };
}
