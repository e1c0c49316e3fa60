import { describe, expect, it } from 'vitest';
import { computeTiming, isExpired } from '../../src/core/tokens';
import { fakeJwt } from '../harness';

const NOW = 1_800_000_000_000;
const base = { receivedAt: NOW, leewayMs: 60_000, opaque: false };

describe('computeTiming', () => {
  it('lays the lifetime exp - iat from the moment of receipt, whatever the device clock says', () => {
    const token = fakeJwt({ iat: 1_000, exp: 1_900 });
    expect(computeTiming({ ...base, accessToken: token })).toEqual({ expiresAt: NOW + 900_000, refreshAt: NOW + 840_000 });
  });

  it('takes exp at face value when there is no iat', () => {
    const token = fakeJwt({ exp: NOW / 1000 + 600 });
    expect(computeTiming({ ...base, accessToken: token }).expiresAt).toBe(NOW + 600_000);
  });

  it('caps the leeway at half the lifetime', () => {
    const token = fakeJwt({ iat: 100, exp: 120 });
    expect(computeTiming({ ...base, accessToken: token }).refreshAt).toBe(NOW + 10_000);
  });

  it('falls back to expiresIn, then to refresh-on-401 only', () => {
    expect(computeTiming({ ...base, accessToken: fakeJwt({}), expiresIn: 300 }).expiresAt).toBe(NOW + 300_000);
    expect(computeTiming({ ...base, accessToken: fakeJwt({}) })).toEqual({ expiresAt: null, refreshAt: null });
    expect(computeTiming({ ...base, accessToken: 'opaque', opaque: true })).toEqual({ expiresAt: null, refreshAt: null });
  });

  it.each([
    ['not a JWT', 'abc'],
    ['an undecodable JWT', 'a.b.c'],
    ['exp as a string', fakeJwt({ exp: '1900' })],
    ['exp as NaN-like null', fakeJwt({ exp: null })],
    ['exp before iat', fakeJwt({ iat: 10, exp: 5 })],
    ['an already expired token', fakeJwt({ exp: NOW / 1000 - 1 })],
  ])('throws auth/invalid_response for %s', (_name, accessToken) => {
    expect(() => computeTiming({ ...base, accessToken })).toThrow(expect.objectContaining({ code: 'auth/invalid_response' }));
  });

  it('counts a token as expired a few seconds before its expiry, never after', () => {
    expect(isExpired(null, NOW)).toBe(false);
    expect(isExpired(NOW + 10_000, NOW)).toBe(false);
    expect(isExpired(NOW + 1_000, NOW)).toBe(true);
  });
});
