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
// expired, so none is sent that the server would receive stale. Shrinks for short-lived
// tokens (see `isExpired`), so no token counts as expired before its refresh point.
export const EXPIRY_SAFETY_MS = 5_000;

// A token living less than this would be refreshed in a loop: a broken server, refused.
export const MIN_LIFETIME_MS = 1_000;

interface Claims {
  exp?: unknown;
  iat?: unknown;
}

const isSeconds = (value: unknown): value is number => typeof value == 'number' && value > 0 && value < Infinity;

export interface TimingInput {
  accessToken: string;
  /** Local `now()` when the request that brought the token was sent. */
  sentAt: number;
  /** Local `now()` when its answer arrived; default `sentAt`. */
  receivedAt?: number | undefined;
  /** The answer's `Date` header (ms on the server's clock), where it had one. */
  serverDate?: number | undefined;
  /** `expiresIn` (seconds) from the response, if the server sent one. */
  expiresIn?: number | undefined;
  /** Configured leeway; capped at half the token's lifetime. */
  leewayMs: number;
  /** Opaque (non-JWT) tokens are not decoded. */
  opaque: boolean;
}

function readClaims(accessToken: string): Claims {
  let claims: Claims | undefined;
  try {
    if (accessToken.split('.').length == 3) claims = jwtDecode<Claims>(accessToken);
  } catch {
    // The decoder's message can quote the token: the fixed sentence below stands instead.
  }
  if (typeof claims != 'object' || !claims) throw invalidResponse('the access token is not a decodable JWT.');
  return claims;
}

/**
 * Works out expiry and refresh deadline of a freshly received access token.
 *
 * The server's clock and the device's may disagree by hours, so only differences of server
 * times are trusted, laid from the moment the request was sent (the token cannot be older
 * than that; but see the note on slow round trips below). The lifetime is the shortest of: `exp - iat`; `exp` minus the answer's `Date`
 * (servers that copy the refresh token's `iat` into refreshed tokens overstate `exp - iat`);
 * `expiresIn`. Without any of these, `exp` is taken at face value on the device clock;
 * without `exp` or `expiresIn`, the token is refreshed only when a request meets a 401.
 * Throws an `auth/invalid_response` AuthError for a token that claims to be a JWT but
 * cannot be read, has an unusable `exp`, or lives under {@link MIN_LIFETIME_MS}.
 */
export function computeTiming({ accessToken, sentAt, receivedAt = sentAt, serverDate, expiresIn, leewayMs, opaque }: TimingInput): TokenTiming {
  const bounds: number[] = [];
  if (expiresIn) bounds.push(expiresIn * 1000);
  if (!opaque) {
    const { exp, iat } = readClaims(accessToken);
    if (exp !== undefined) {
      if (!isSeconds(exp) || (isSeconds(iat) && exp <= iat)) throw invalidResponse('the access token has an unusable exp claim.');
      if (isSeconds(iat)) bounds.push((exp - iat) * 1000);
      if (serverDate !== undefined) bounds.push(exp * 1000 - serverDate);
      if (!bounds.length) bounds.push(exp * 1000 - sentAt);
    }
  }
  if (!bounds.length) return { expiresAt: null, refreshAt: null };
  const lifetime = Math.min(...bounds);
  // Accepting a token that is already (nearly) expired would refresh again at once, and
  // again: a loop against a broken server.
  if (lifetime < MIN_LIFETIME_MS) throw invalidResponse('the access token was already expired when it arrived.');
  // A round trip that ate half the lifetime is a device that slept or a connection that
  // stalled, not a slow server: the token was issued near the end of it, and laying it from
  // the send would refresh on arrival, and again, whenever the trip outlasts the token.
  const expiresAt = (receivedAt - sentAt > lifetime / 2 ? receivedAt : sentAt) + lifetime;
  return { expiresAt, refreshAt: expiresAt - Math.min(leewayMs, lifetime / 2) };
}

/**
 * True when a token with this timing should no longer be sent: a safety margin before its
 * expiry, never more than half the time between its refresh point and its expiry.
 */
export function isExpired({ expiresAt, refreshAt }: TokenTiming, now: number): boolean {
  if (expiresAt === null) return false;
  const lead = refreshAt === null ? Infinity : expiresAt - refreshAt;
  return now >= expiresAt - Math.min(EXPIRY_SAFETY_MS, lead / 2);
}

/** The `Date` header of an answer as ms on the server's clock, or undefined when it has none or it cannot be read. */
export function serverDateOf(response: Response): number | undefined {
  const value = Date.parse(response.headers.get('Date') ?? '');
  return Number.isFinite(value) ? value : undefined;
}
