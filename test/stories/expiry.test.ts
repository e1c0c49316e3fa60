import { describe, expect, it } from 'vitest';
import { expiryFill, tokenLifetimeMs } from '../../stories/demo/expiry';

const MINUTE = 60_000;
const LIFETIME = 15 * MINUTE;
const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment(claims)}.c2ln`;

describe('expiryFill', () => {
  it('is full for a token refreshed just now, however long the previous one had lived', () => {
    // Refreshed at 09:14 after the clock was stepped 14 minutes: expires at 09:29.
    const now = Date.UTC(2026, 0, 1, 9, 14);
    expect(expiryFill(now + LIFETIME, now, LIFETIME)).toBe(1);
  });

  it('drops by the share of the lifetime a clock step took', () => {
    const issued = Date.UTC(2026, 0, 1, 9, 0);
    expect(expiryFill(issued + LIFETIME, issued + 5 * MINUTE, LIFETIME)).toBeCloseTo(2 / 3, 10);
  });

  it('stays between empty and full outside the lifetime', () => {
    const expiresAt = Date.UTC(2026, 0, 1, 9, 15);
    expect(expiryFill(expiresAt, expiresAt + MINUTE, LIFETIME)).toBe(0);
    expect(expiryFill(expiresAt, expiresAt - 2 * LIFETIME, LIFETIME)).toBe(1);
  });
});

describe('tokenLifetimeMs', () => {
  it("reads the lifetime from the token's exp and iat, not from the device clock", () => {
    expect(tokenLifetimeMs(jwt({ iat: 1_000, exp: 1_900 }))).toBe(900_000);
  });

  it('is null for a token without iat, or one that is not a JWT', () => {
    expect(tokenLifetimeMs(jwt({ exp: 1_900 }))).toBeNull();
    expect(tokenLifetimeMs('opaque-token')).toBeNull();
  });
});
