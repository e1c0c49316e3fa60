import { ERRORS, isRecord, profileOf } from './contractData';
import { FAKE_CLIENT_ID, jsonBody, reply, strings, type FakeFlavour, type FlavourSettings, type ServerFlavour } from './flavourTypes';
import { mappedJsonDataFlavour, mappedJsonFlavour } from './mappedJsonFlavours';
import { oauth2Flavour } from './oauth2Flavour';
import type { FakeEndpoint } from './routes';

export { FAKE_CLIENT_ID, FAKE_OTP, type FakeFlavour, type LoginRead, type RefreshRead, type ServerFlavour, type WireFailure, type WireReply } from './flavourTypes';

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
