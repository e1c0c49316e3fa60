import type { TestUser } from './fakeAuthTypes';
import { FAKE_OTP, jsonBody, reply, strings, type FlavourSettings, type ServerFlavour } from './flavourTypes';

export function mappedJsonFlavour(): ServerFlavour {
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

export function mappedJsonDataFlavour({ clientId }: FlavourSettings): ServerFlavour {
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
