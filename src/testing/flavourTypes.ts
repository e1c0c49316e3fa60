import { isRecord } from './contractData';
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

export const reply = (status: number, body: unknown, headers?: Record<string, string>): WireReply => ({ status, body, headers });

/** A JSON body as a record: `undefined` when the body is not JSON, `null` when it is JSON but no object. */
export async function jsonBody(request: Request): Promise<Record<string, unknown> | null | undefined> {
  try {
    const body: unknown = await request.json();
    return isRecord(body) ? body : null;
  } catch {
    return undefined;
  }
}

export const strings = (body: Record<string, unknown> | null | undefined, ...names: string[]): string[] | null => {
  const values = names.map((name) => body?.[name]);
  return values.every((value) => typeof value === 'string') ? (values as string[]) : null;
};
