import { jwtDecode } from 'jwt-decode';
import { InvalidResponseError } from './errors';

/** When a token runs out and when authloop refreshes it, on the local clock. */
export interface TokenTiming {
  /** ms since the epoch on the local clock, or null when the token says nothing about it. */
  expiresAt: number | null;
  /** When the refresh timer fires; null means "refresh on 401 only". */
  refreshAt: number | null;
}

// Requests take time to reach the server: a token this close to its expiry counts as
// expired, so none is sent that the server would receive stale.
export const EXPIRY_SAFETY_MS = 5_000;

interface Claims {
  exp?: unknown;
  iat?: unknown;
}

function isJwtShaped(token: string): boolean {
  return token.split('.').length === 3;
}

function readClaims(token: string): Claims {
  try {
    const claims = jwtDecode<Claims>(token);
    if (typeof claims !== 'object' || claims === null) throw new TypeError('not an object');
    return claims;
  } catch {
    // The decoder's message can quote the token: report a fixed sentence instead.
    throw new InvalidResponseError('the access token is not a decodable JWT.');
  }
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

export interface TimingInput {
  accessToken: string;
  /** Local `now()` when the response arrived. */
  receivedAt: number;
  /** `expiresIn` (seconds) from the response, if the server sent one. */
  expiresIn?: number | undefined;
  /** Configured leeway; capped at half the token's lifetime. */
  leewayMs: number;
  /** Opaque (non-JWT) tokens are not decoded. */
  opaque: boolean;
}

/**
 * Works out expiry and refresh deadline of a freshly received access token.
 *
 * The server's clock and the device's may disagree by hours, so a JWT's lifetime is read as
 * `exp - iat` and laid from the moment the response arrived. Without `iat`, `exp` is taken
 * at face value; without `exp`, `expiresIn`; without either, the token is refreshed only
 * when a request meets a 401. Throws {@link InvalidResponseError} for a token that claims
 * to be a JWT but cannot be read, or has an unusable `exp`.
 */
export function computeTiming(input: TimingInput): TokenTiming {
  const { accessToken, receivedAt, expiresIn, leewayMs, opaque } = input;
  let expiresAt: number | null = null;
  let lifetime: number | null = null;

  if (!opaque) {
    if (!isJwtShaped(accessToken)) throw new InvalidResponseError('the access token is not a JWT.');
    const claims = readClaims(accessToken);
    if (claims.exp !== undefined) {
      if (!isSeconds(claims.exp)) throw new InvalidResponseError('the access token has an invalid exp claim.');
      if (isSeconds(claims.iat)) {
        if (claims.exp <= claims.iat) throw new InvalidResponseError('the access token expires before it was issued.');
        lifetime = (claims.exp - claims.iat) * 1000;
        expiresAt = receivedAt + lifetime;
      } else {
        expiresAt = claims.exp * 1000;
        lifetime = expiresAt - receivedAt;
      }
    }
  }
  if (expiresAt === null && expiresIn !== undefined) {
    lifetime = expiresIn * 1000;
    expiresAt = receivedAt + lifetime;
  }
  if (expiresAt === null || lifetime === null) return { expiresAt: null, refreshAt: null };
  if (expiresAt - EXPIRY_SAFETY_MS <= receivedAt) {
    // Accepting it would refresh again at once, and again: a loop against a broken server.
    throw new InvalidResponseError('the access token was already expired when it arrived.');
  }
  const leeway = Math.min(Math.max(0, leewayMs), lifetime / 2);
  return { expiresAt, refreshAt: expiresAt - leeway };
}

/** True when a token with this expiry should no longer be sent. */
export function isExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && now >= expiresAt - EXPIRY_SAFETY_MS;
}
