import type { Clock } from '../core/clock';
import type { TestUser, TokenLifetimes } from './fakeAuthTypes';
import { createHmacKey, randomId, signJwt, verifyJwt, type JwtPayload } from './jwt';

// JWT times are in seconds; the clock is in milliseconds.
const MS_PER_SECOND = 1000;

type TokenType = 'access' | 'refresh';

/** The claims of a token the fake server signed. */
export interface TokenClaims {
  sub: string;
  username: string;
  iat: number;
  exp: number;
  jti: string;
  typ: TokenType;
  /** Family: every token descending from one login shares it. */
  fam: string;
}

/** An access token and the refresh token issued with it. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/** What a refresh token is worth right now. */
export type RefreshVerdict =
  | { kind: 'ok'; user: TestUser; claims: TokenClaims }
  | { kind: 'reused'; claims: TokenClaims }
  | { kind: 'expired' }
  | { kind: 'invalid' };

/** What an access token is worth right now. */
export type AccessVerdict = { kind: 'ok'; user: TestUser } | { kind: 'expired' } | { kind: 'unauthorized' };

interface FamilyRecord {
  revoked: boolean;
  /** `iat` of the login that started the family. */
  loginIat: number;
}

/** Settings of {@link createTokenStore}. */
export interface TokenStoreOptions {
  clock: Clock;
  users: readonly TestUser[];
  /** Read at every issue, so a lifetime change applies to the next token. */
  lifetimes: () => TokenLifetimes;
  refreshedIat: 'now' | 'refresh-token';
  /** Random strings that only this store can read, instead of JWTs. Default `false`. */
  opaque?: boolean;
}

/** Issues, checks, rotates and revokes the fake server's tokens. */
export interface TokenStore {
  /** The claims of a token this store signed, or `null` for anything else. */
  readClaims(token: string | null): TokenClaims | null;
  isExpired(claims: TokenClaims): boolean;
  /** A refresh token this store issued and has since spent. */
  isSpent(claims: TokenClaims): boolean;
  /** A new family and its first pair, as a login issues. */
  startSession(user: TestUser): TokenPair;
  /** Synchronous, so the caller can act on the verdict before anything else runs. */
  judgeRefresh(claims: TokenClaims | null): RefreshVerdict;
  judgeAccess(claims: TokenClaims | null): AccessVerdict;
  /** Spends the refresh token of an `ok` verdict and issues the next pair of its family. */
  rotate(verdict: Extract<RefreshVerdict, { kind: 'ok' }>): TokenPair;
  /** Reuse detection: every token of the family stops working. */
  revokeFamily(family: string): void;
  revokeAll(): void;
}

function toClaims(payload: JwtPayload | null): TokenClaims | null {
  if (payload === null) return null;
  const { sub, username, iat, exp, jti, typ, fam } = payload;
  if (
    typeof sub !== 'string' ||
    typeof username !== 'string' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string' ||
    (typ !== 'access' && typ !== 'refresh') ||
    typeof fam !== 'string'
  ) {
    return null;
  }
  return { sub, username, iat, exp, jti, typ, fam };
}

/**
 * Creates the token half of the fake server: HS256 JWTs under a fresh random key (or opaque
 * random strings), one family per login, strict rotation (a refresh token works once) and
 * expiry on `clock`.
 *
 * @example
 * const tokens = createTokenStore({ clock, users, lifetimes: () => ttl, refreshedIat: 'now' });
 * const pair = tokens.startSession(users[0]);
 */
export function createTokenStore({ clock, users, lifetimes, refreshedIat, opaque = false }: TokenStoreOptions): TokenStore {
  const key = createHmacKey();
  // Opaque token -> its claims: the server looks a token up where it would verify a JWT.
  const opaqueTokens = new Map<string, TokenClaims>();
  function encode(claims: TokenClaims): string {
    if (!opaque) return signJwt({ ...claims }, key);
    const token = randomId(32);
    opaqueTokens.set(token, claims);
    return token;
  }
  const families = new Map<string, FamilyRecord>();
  // Refresh token jti -> spent.
  const refreshTokens = new Map<string, boolean>();

  const nowSeconds = (): number => Math.floor(clock.now() / MS_PER_SECOND);
  const isExpired = (claims: TokenClaims): boolean => clock.now() >= claims.exp * MS_PER_SECOND;
  const userFor = (claims: TokenClaims): TestUser | undefined =>
    users.find((user) => String(user.id) === claims.sub && user.username === claims.username);
  const isLive = (claims: TokenClaims): boolean => families.get(claims.fam)?.revoked === false;

  function issue(user: TestUser, family: string, iat: number): TokenPair {
    const now = nowSeconds();
    const { accessTokenTtl, refreshTokenTtl } = lifetimes();
    const refreshJti = randomId();
    refreshTokens.set(refreshJti, false);
    const common = { sub: String(user.id), username: user.username, iat };
    return {
      accessToken: encode({ ...common, exp: now + accessTokenTtl, jti: randomId(), typ: 'access', fam: family }),
      refreshToken: encode({ ...common, exp: now + refreshTokenTtl, jti: refreshJti, typ: 'refresh', fam: family }),
    };
  }

  return {
    readClaims: (token) => (token === null ? null : opaque ? (opaqueTokens.get(token) ?? null) : toClaims(verifyJwt(token, key))),
    isExpired,
    isSpent: (claims) => claims.typ === 'refresh' && refreshTokens.get(claims.jti) === true,
    startSession(user) {
      const family = randomId();
      const loginIat = nowSeconds();
      families.set(family, { revoked: false, loginIat });
      return issue(user, family, loginIat);
    },
    judgeRefresh(claims) {
      if (claims === null || claims.typ !== 'refresh') return { kind: 'invalid' };
      if (isExpired(claims)) return { kind: 'expired' };
      const spent = refreshTokens.get(claims.jti);
      if (spent === undefined) return { kind: 'invalid' };
      if (spent) return { kind: 'reused', claims };
      const user = userFor(claims);
      if (!isLive(claims) || user === undefined) return { kind: 'invalid' };
      return { kind: 'ok', user, claims };
    },
    judgeAccess(claims) {
      if (claims === null || claims.typ !== 'access') return { kind: 'unauthorized' };
      if (isExpired(claims)) return { kind: 'expired' };
      const user = userFor(claims);
      if (!isLive(claims) || user === undefined) return { kind: 'unauthorized' };
      return { kind: 'ok', user };
    },
    rotate({ user, claims }) {
      refreshTokens.set(claims.jti, true);
      const loginIat = families.get(claims.fam)?.loginIat ?? nowSeconds();
      return issue(user, claims.fam, refreshedIat === 'refresh-token' ? loginIat : nowSeconds());
    },
    revokeFamily(family) {
      const record = families.get(family);
      if (record) record.revoked = true;
    },
    revokeAll() {
      for (const family of families.values()) family.revoked = true;
    },
  };
}
