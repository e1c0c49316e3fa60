import { jwtDecode } from 'jwt-decode';

/**
 * The lifetime the token itself states (`exp - iat`), in ms; `null` when it is not a JWT
 * with both claims. The client lays expiry out from it too (`expiresAt` is the send time
 * plus the shortest lifetime the answer states), so the two agree whatever the device clock says.
 */
export function tokenLifetimeMs(accessToken: string): number | null {
  try {
    const { exp, iat } = jwtDecode<{ exp?: unknown; iat?: unknown }>(accessToken);
    if (typeof exp !== 'number' || typeof iat !== 'number' || exp <= iat) return null;
    return (exp - iat) * 1000;
  } catch {
    return null;
  }
}

/**
 * How full the expiry bar is, 0 to 1: the share of the current token's lifetime still left
 * at `now`. Computed from the token's own lifetime, never from when this page happened to
 * notice the token, so a token just refreshed is full however late the page re-rendered.
 */
export function expiryFill(expiresAt: number, now: number, lifetimeMs: number): number {
  if (!(lifetimeMs > 0)) return 0;
  return Math.min(1, Math.max(0, (expiresAt - now) / lifetimeMs));
}
