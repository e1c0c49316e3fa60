import { ERRORS, isRecord, profileOf } from './contractData';
import type { TestUser } from './fakeAuthTypes';
import type { FakeEndpoint } from './routes';
import type { TokenPair } from './tokenStore';

/**
 * The wire formats the fake server speaks. `'contract'`: the package's default contract.
 * `'oauth2'`: an RFC 6749 token endpoint (password and refresh token grants, form bodies,
 * opaque tokens, `invalid_grant`) and an OpenID Connect style userinfo. `'mapped-json'`: a
 * JSON API that logs in with `{ email, password }`, answers `{ access, refresh }` with no
 * user, refreshes with `{ refresh }`, refuses with `401 { detail, code }` and serves its
 * user in snake_case from me. `'mapped-json-data'`: a JSON API that nests everything under
 * `data`, logs in with `{ username, password, otp, client_id }`, tells the lifetime in
 * milliseconds (`data.expires`), puts the user in `data.user`, and errors as
 * `{ error: { code, message } }`; opaque tokens.
 */
export type FakeFlavour = 'contract' | 'oauth2' | 'mapped-json' | 'mapped-json-data';

/** The one-time code the `'mapped-json-data'` flavour accepts for every user. */
export const FAKE_OTP = '123456';

/** The client id the `'oauth2'` and `'mapped-json-data'` flavours expect unless told another. */
export const FAKE_CLIENT_ID = 'authloop-test';

/** An answer a flavour gives: status, JSON body, headers. */
export interface WireReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The failures every flavour answers in its own words. */
export type WireFailure =
  | 'invalidCredentials'
  | 'refreshTokenRequired'
  | 'refreshTokenInvalid'
  | 'refreshTokenExpired'
  | 'refreshTokenReused'
  | 'unauthorized'
  | 'tokenExpired';

/** Who a login request named, or the reply that refuses it before any user is looked at. */
export type LoginRead = { matches(user: TestUser): boolean } | { reply: WireReply };

/** The refresh token a request body carried (`null`: none; a cookie may carry it), or a refusing reply. */
export type RefreshRead = { token: string | null } | { reply: WireReply };

/** One wire format of the fake server: how it reads requests and words answers. */
export interface ServerFlavour {
  /** Where each endpoint is unless configured. */
  paths: Readonly<Record<FakeEndpoint, string>>;
  /** Random strings instead of JWTs: the client learns the lifetime from the answer only. */
  opaqueTokens: boolean;
  /** Where the refresh token is read unless configured; anything but `'body'` also sets a cookie. */
  refreshTokenFrom: 'body' | 'cookie' | 'either';
  /** For one token endpoint serving login and refresh: which of the two a request is. */
  route?(request: Request): Promise<'login' | 'refresh'>;
  readLogin(request: Request): Promise<LoginRead>;
  readRefresh(request: Request): Promise<RefreshRead>;
  /** The body of a granting answer; `user` only for a login. */
  granted(pair: TokenPair, accessTokenTtl: number, user: TestUser | null): unknown;
  /** What me answers. */
  profile(user: TestUser): unknown;
  fail(failure: WireFailure): WireReply;
  /** Headers of every answer of login and refresh. */
  tokenHeaders: Record<string, string>;
}

/** Settings a flavour takes from the server's options. */
export interface FlavourSettings {
  invalidCredentials: 'contract' | 'dummyjson';
  clientId: string;
  /** With one, `'oauth2'` authenticates its client by HTTP Basic (RFC 6749 §2.3.1); else by `client_id`. */
  clientSecret: string | undefined;
}

const reply = (status: number, body: unknown, headers?: Record<string, string>): WireReply => ({ status, body, headers });

/** A JSON body as a record: `undefined` when the body is not JSON, `null` when it is JSON but no object. */
async function jsonBody(request: Request): Promise<Record<string, unknown> | null | undefined> {
  try {
    const body: unknown = await request.json();
    return isRecord(body) ? body : null;
  } catch {
    return undefined;
  }
}

const strings = (body: Record<string, unknown> | null | undefined, ...names: string[]): string[] | null => {
  const values = names.map((name) => body?.[name]);
  return values.every((value) => typeof value === 'string') ? (values as string[]) : null;
};

function contractFlavour({ invalidCredentials }: FlavourSettings): ServerFlavour {
  const error = (envelope: { message: string; code?: string }, status = 401) => reply(status, envelope);
  return {
    paths: { login: '/auth/login', refresh: '/auth/refresh', me: '/auth/me', todos: '/api/todos' },
    opaqueTokens: false,
    refreshTokenFrom: 'either',
    async readLogin(request) {
      const body = await jsonBody(request);
      if (body === undefined) return { reply: error(ERRORS.invalidJson, 400) };
      const [username, password] = strings(body, 'username', 'password') ?? [];
      if (username === undefined) return { reply: error(ERRORS.credentialsRequired, 400) };
      return { matches: (user) => user.username === username && user.password === password };
    },
    // A non-empty body is read first; it must be JSON, and a `refreshToken` in it a non-empty string.
    async readRefresh(request) {
      const text = await request.text();
      if (text.trim() === '') return { token: null };
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { reply: error(ERRORS.invalidJson, 400) };
      }
      const token = isRecord(body) ? body.refreshToken : undefined;
      if (typeof token === 'string' && token !== '') return { token };
      return token === undefined ? { token: null } : { reply: error(ERRORS.refreshTokenRequired, 400) };
    },
    granted: ({ accessToken, refreshToken }, _ttl, user) => {
      if (!user) return { accessToken, refreshToken };
      const { id, username, email, firstName, lastName, gender, image } = user;
      return { id, username, email, firstName, lastName, gender, image, accessToken, refreshToken };
    },
    profile: profileOf,
    fail(failure) {
      if (failure === 'invalidCredentials') {
        return invalidCredentials === 'dummyjson' ? error({ message: ERRORS.invalidCredentials.message }, 400) : error(ERRORS.invalidCredentials);
      }
      if (failure === 'refreshTokenRequired') return error(ERRORS.refreshTokenRequired, 400);
      return error(ERRORS[failure]);
    },
    tokenHeaders: {},
  };
}

// RFC 6749 §5.1: token answers must not be cached.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function oauth2Flavour({ clientId, clientSecret }: FlavourSettings): ServerFlavour {
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

function mappedJsonFlavour(): ServerFlavour {
  const detail = (status: number, text: string, code?: string) => reply(status, code ? { detail: text, code } : { detail: text });
  return {
    paths: { login: '/api/token/', refresh: '/api/token/refresh/', me: '/api/me/', todos: '/api/todos' },
    opaqueTokens: false,
    refreshTokenFrom: 'body',
    async readLogin(request) {
      const body = await jsonBody(request);
      if (body === undefined) return { reply: detail(400, 'JSON parse error.') };
      const [email, password] = strings(body, 'email', 'password') ?? [];
      if (email === undefined) return { reply: reply(400, { email: ['This field is required.'], password: ['This field is required.'] }) };
      return { matches: (user) => user.email === email && user.password === password };
    },
    async readRefresh(request) {
      const body = await jsonBody(request);
      if (body === undefined) return { reply: detail(400, 'JSON parse error.') };
      const token = body?.refresh;
      if (token === undefined) return { token: null };
      return typeof token === 'string' && token !== '' ? { token } : { reply: reply(400, { refresh: ['Not a valid string.'] }) };
    },
    granted: ({ accessToken, refreshToken }) => ({ access: accessToken, refresh: refreshToken }),
    profile: ({ id, username, email, firstName, lastName }) => ({ id, username, email, first_name: firstName, last_name: lastName }),
    fail(failure) {
      switch (failure) {
        case 'invalidCredentials':
          return detail(401, 'No active account found with the given credentials');
        case 'refreshTokenRequired':
          return reply(400, { refresh: ['This field is required.'] });
        case 'refreshTokenExpired':
          return detail(401, 'Token is expired', 'token_expired');
        case 'refreshTokenReused':
          return detail(401, 'Token is blacklisted', 'token_not_valid');
        case 'refreshTokenInvalid':
          return detail(401, 'Token is invalid', 'token_not_valid');
        case 'tokenExpired':
        case 'unauthorized':
          return detail(401, 'Given token not valid for any token type', 'token_not_valid');
      }
    },
    tokenHeaders: {},
  };
}

function mappedJsonDataFlavour({ clientId }: FlavourSettings): ServerFlavour {
  const error = (status: number, code: string, message: string) => reply(status, { error: { code, message } });
  const user = (testUser: TestUser) => {
    const { id, username, email, firstName, lastName } = testUser;
    return { id, username, email, firstName, lastName };
  };
  return {
    paths: { login: '/api/v1/session', refresh: '/api/v1/session/refresh', me: '/api/v1/me', todos: '/api/todos' },
    opaqueTokens: true,
    refreshTokenFrom: 'body',
    async readLogin(request) {
      const body = await jsonBody(request);
      if (body === undefined) return { reply: error(400, 'bad_request', 'The body is not JSON.') };
      const [username, password, otp, client] = strings(body, 'username', 'password', 'otp', 'client_id') ?? [];
      if (username === undefined) return { reply: error(400, 'bad_request', 'username, password, otp and client_id are required.') };
      if (client !== clientId) return { reply: error(400, 'invalid_client', 'Unknown client.') };
      return { matches: (candidate) => candidate.username === username && candidate.password === password && otp === FAKE_OTP };
    },
    async readRefresh(request) {
      const body = await jsonBody(request);
      if (body === undefined) return { reply: error(400, 'bad_request', 'The body is not JSON.') };
      const token = body?.refresh_token;
      if (token === undefined) return { token: null };
      return typeof token === 'string' && token !== '' ? { token } : { reply: error(400, 'bad_request', 'refresh_token must be a string.') };
    },
    granted: ({ accessToken, refreshToken }, ttl, testUser) => ({
      data: { access_token: accessToken, refresh_token: refreshToken, expires: ttl * 1000, ...(testUser ? { user: user(testUser) } : {}) },
    }),
    profile: (testUser) => ({ data: user(testUser) }),
    fail(failure) {
      switch (failure) {
        case 'invalidCredentials':
          return error(401, 'invalid_credentials', 'Wrong username, password or code.');
        case 'refreshTokenRequired':
          return error(400, 'bad_request', 'refresh_token is required.');
        case 'refreshTokenExpired':
          return error(401, 'refresh_token_expired', 'The session expired.');
        case 'refreshTokenReused':
          return error(401, 'refresh_token_revoked', 'The session was revoked.');
        case 'refreshTokenInvalid':
          return error(401, 'refresh_token_invalid', 'The refresh token is invalid.');
        case 'tokenExpired':
          return error(401, 'token_expired', 'The access token expired.');
        case 'unauthorized':
          return error(401, 'unauthorized', 'Sign in first.');
      }
    },
    tokenHeaders: {},
  };
}

const FLAVOURS: Readonly<Record<FakeFlavour, (settings: FlavourSettings) => ServerFlavour>> = {
  contract: contractFlavour,
  oauth2: oauth2Flavour,
  'mapped-json': mappedJsonFlavour,
  'mapped-json-data': mappedJsonDataFlavour,
};

/** Every flavour's name, for a test that runs against each. */
export const FAKE_FLAVOURS: readonly FakeFlavour[] = ['contract', 'oauth2', 'mapped-json', 'mapped-json-data'];

/** The flavour of this name; a RangeError for a name it does not know. */
export function createFlavour(name: FakeFlavour, settings: FlavourSettings): ServerFlavour {
  const make = Object.hasOwn(FLAVOURS, name) ? FLAVOURS[name] : undefined;
  if (make === undefined) throw new RangeError(`flavour must be one of ${FAKE_FLAVOURS.join(', ')}, got ${String(name)}`);
  return make(settings);
}

/** The default path of each endpoint in a flavour. */
export const flavourPaths = (name: FakeFlavour = 'contract'): Readonly<Record<FakeEndpoint, string>> =>
  createFlavour(name, { invalidCredentials: 'contract', clientId: FAKE_CLIENT_ID, clientSecret: undefined }).paths;
