import { jwtDecode } from 'jwt-decode';
import { invalidResponse } from './errors';

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

const isSeconds = (value: unknown): value is number => typeof value == 'number' && value > 0 && value < Infinity;

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
 * when a request meets a 401. Throws an `auth/invalid_response` AuthError for a token that claims
 * to be a JWT but cannot be read, or has an unusable `exp`.
 */
export function computeTiming({ accessToken, receivedAt, expiresIn, leewayMs, opaque }: TimingInput): TokenTiming {
  let lifetime: number | undefined;
  if (!opaque) {
    let claims: Claims | undefined;
    try {
      if (accessToken.split('.').length == 3) claims = jwtDecode<Claims>(accessToken);
    } catch {
      // The decoder's message can quote the token: the fixed sentence below stands instead.
    }
    if (typeof claims != 'object' || !claims) throw invalidResponse('the access token is not a decodable JWT.');
    const { exp, iat } = claims;
    if (exp !== undefined) {
      if (!isSeconds(exp) || (isSeconds(iat) && exp <= iat)) throw invalidResponse('the access token has an unusable exp claim.');
      lifetime = isSeconds(iat) ? (exp - iat) * 1000 : exp * 1000 - receivedAt;
    }
  }
  lifetime ??= expiresIn && expiresIn * 1000;
  if (lifetime === undefined) return { expiresAt: null, refreshAt: null };
  // Accepting a token that is already (nearly) expired would refresh again at once, and
  // again: a loop against a broken server.
  if (lifetime <= EXPIRY_SAFETY_MS) throw invalidResponse('the access token was already expired when it arrived.');
  const expiresAt = receivedAt + lifetime;
  return { expiresAt, refreshAt: expiresAt - Math.min(leewayMs, lifetime / 2) };
}

/** True when a token with this expiry should no longer be sent. */
export function isExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && now >= expiresAt - EXPIRY_SAFETY_MS;
}
