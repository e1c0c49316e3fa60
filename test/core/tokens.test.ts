import { describe, expect, it } from 'vitest';
import { computeTiming, isExpired } from '../../src/core/tokens';
import { fakeJwt } from '../harness';

const NOW = 1_800_000_000_000;
const base = { sentAt: NOW, leewayMs: 60_000, opaque: false };

describe('computeTiming', () => {
  it('lays the lifetime exp - iat from the moment the request was sent, whatever the device clock says', () => {
    const token = fakeJwt({ iat: 1_000, exp: 1_900 });
    expect(computeTiming({ ...base, accessToken: token })).toEqual({ expiresAt: NOW + 900_000, refreshAt: NOW + 840_000 });
  });

  it('takes exp at face value when there is neither iat nor a Date header', () => {
    const token = fakeJwt({ exp: NOW / 1000 + 600 });
    expect(computeTiming({ ...base, accessToken: token }).expiresAt).toBe(NOW + 600_000);
  });

  it('believes no lifetime longer than exp on the server clock of the Date header (an iat copied from the refresh token)', () => {
    // The server's clock is an hour behind the device; its iat is the login's, 24 s ago.
    const serverNow = NOW / 1000 - 3_600;
    const token = fakeJwt({ iat: serverNow - 24, exp: serverNow + 30 });
    const timing = computeTiming({ ...base, accessToken: token, serverDate: serverNow * 1000 });
    expect(timing.expiresAt).toBe(NOW + 30_000);
  });

  it('uses exp minus the Date header when there is no iat, so a device clock an hour off still refreshes on time', () => {
    const serverNow = NOW / 1000 + 3_600;
    const token = fakeJwt({ exp: serverNow + 900 });
    expect(computeTiming({ ...base, accessToken: token, serverDate: serverNow * 1000 }).expiresAt).toBe(NOW + 900_000);
  });

  it('caps the leeway at half the lifetime', () => {
    const token = fakeJwt({ iat: 100, exp: 120 });
    expect(computeTiming({ ...base, accessToken: token }).refreshAt).toBe(NOW + 10_000);
  });

  it('accepts a 4-second token and refreshes it at 2 s', () => {
    const token = fakeJwt({ iat: 100, exp: 104 });
    expect(computeTiming({ ...base, accessToken: token })).toEqual({ expiresAt: NOW + 4_000, refreshAt: NOW + 2_000 });
  });

  it('falls back to expiresIn, then to refresh-on-401 only', () => {
    expect(computeTiming({ ...base, accessToken: fakeJwt({}), expiresIn: 300 }).expiresAt).toBe(NOW + 300_000);
    expect(computeTiming({ ...base, accessToken: fakeJwt({}) })).toEqual({ expiresAt: null, refreshAt: null });
    expect(computeTiming({ ...base, accessToken: 'opaque', opaque: true })).toEqual({ expiresAt: null, refreshAt: null });
  });

  it('takes the shorter of expiresIn and the token claims', () => {
    const token = fakeJwt({ iat: 100, exp: 1_000 });
    expect(computeTiming({ ...base, accessToken: token, expiresIn: 60 }).expiresAt).toBe(NOW + 60_000);
  });

  it.each([
    ['not a JWT', 'abc'],
    ['an undecodable JWT', 'a.b.c'],
    ['exp as a string', fakeJwt({ exp: '1900' })],
    ['exp as NaN-like null', fakeJwt({ exp: null })],
    ['exp before iat', fakeJwt({ iat: 10, exp: 5 })],
    ['an already expired token', fakeJwt({ exp: NOW / 1000 - 1 })],
    ['a token living under a second', fakeJwt({ exp: NOW / 1000 + 0.5 })],
  ])('throws auth/invalid_response for %s', (_name, accessToken) => {
    expect(() => computeTiming({ ...base, accessToken })).toThrow(expect.objectContaining({ code: 'auth/invalid_response' }));
  });
});

describe('isExpired', () => {
  it('never counts a token without expiry as expired', () => {
    expect(isExpired({ expiresAt: null, refreshAt: null }, NOW)).toBe(false);
  });

  it('counts a long-lived token as expired 5 s before its expiry, never after', () => {
    const timing = { expiresAt: NOW + 900_000, refreshAt: NOW + 840_000 };
    expect(isExpired(timing, NOW + 894_999)).toBe(false);
    expect(isExpired(timing, NOW + 895_000)).toBe(true);
  });

  it('shrinks the margin for a short token, so it never counts as expired before its refresh point', () => {
    const timing = { expiresAt: NOW + 4_000, refreshAt: NOW + 2_000 };
    expect(isExpired(timing, NOW + 2_000)).toBe(false);
    expect(isExpired(timing, NOW + 2_999)).toBe(false);
    expect(isExpired(timing, NOW + 3_000)).toBe(true);
  });
});
