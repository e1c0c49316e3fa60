/**
 * Minimal HS256 JWT signing and verification for the fake auth server.
 *
 * Synchronous and dependency-free (`TextEncoder`, `btoa`/`atob`, `crypto.getRandomValues`),
 * so it runs unchanged in Node and in the browser, and a fake clock fully controls it.
 */

/** A decoded JWT payload: a JSON object. */
export type JwtPayload = Record<string, unknown>;

// The only algorithm the fake server speaks; fixed so verification never trusts the header.
const JWT_HEADER = { alg: 'HS256', typ: 'JWT' } as const;

// 32 bytes = SHA-256's output length, the minimum HMAC key length RFC 2104 recommends.
const SECRET_BYTES = 32;


const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes bytes as unpadded base64url (RFC 4648 §5), the JWT segment encoding. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes unpadded base64url; throws on characters outside the alphabet. */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new SyntaxError('Not base64url');
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function encodeJson(value: unknown): string {
  return base64UrlEncode(encoder.encode(JSON.stringify(value)));
}

function decodeJsonObject(segment: string): JwtPayload | null {
  try {
    const value: unknown = JSON.parse(decoder.decode(base64UrlDecode(segment)));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JwtPayload)
      : null;
  } catch {
    return null;
  }
}

/** Returns `byteCount` cryptographically random bytes as a base64url string. */
export function randomId(byteCount = 16): string {
  return base64UrlEncode(globalThis.crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** An HMAC-SHA256 secret. */
export interface HmacKey {
  readonly secret: Uint8Array;
}

// SHA-256 round constants (FIPS 180-4 §4.2.2).
const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/**
 * SHA-256, synchronous. Web Crypto's digest resolves on a thread pool after real time has
 * passed, which a fake clock cannot wait for; this keeps the fake server deterministic.
 */
export function sha256(message: Uint8Array): Uint8Array {
  const length = message.length;
  const padded = new Uint8Array(Math.ceil((length + 9) / 64) * 64);
  padded.set(message);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor((length * 8) / 2 ** 32));
  view.setUint32(padded.length - 4, (length * 8) >>> 0);
  const h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as number[] as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    [a, b, c, d, e, f, g, hh].forEach((value, i) => (h[i] = (h[i]! + value) >>> 0));
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((value, i) => outView.setUint32(i * 4, value));
  return out;
}

// HMAC block size of SHA-256 (RFC 2104).
const BLOCK_BYTES = 64;

/** HMAC-SHA256 (RFC 2104) over `message`. */
export function hmacSha256(key: HmacKey, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(BLOCK_BYTES);
  block.set(key.secret.length > BLOCK_BYTES ? sha256(key.secret) : key.secret);
  const inner = new Uint8Array(BLOCK_BYTES + message.length);
  const outer = new Uint8Array(BLOCK_BYTES + 32);
  for (let i = 0; i < BLOCK_BYTES; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  inner.set(message, BLOCK_BYTES);
  outer.set(sha256(inner), BLOCK_BYTES);
  return sha256(outer);
}

/**
 * Creates a fresh random HMAC-SHA256 key.
 *
 * @example
 * const key = createHmacKey();
 * const token = signJwt({ sub: '1' }, key);
 */
export function createHmacKey(): HmacKey {
  return { secret: globalThis.crypto.getRandomValues(new Uint8Array(SECRET_BYTES)) };
}

/**
 * Signs `payload` as a compact HS256 JWT.
 *
 * @example
 * const token = signJwt({ sub: '1', exp: 1_700_000_900 }, key);
 */
export function signJwt(payload: JwtPayload, key: HmacKey): string {
  const signingInput = `${encodeJson(JWT_HEADER)}.${encodeJson(payload)}`;
  return `${signingInput}.${base64UrlEncode(hmacSha256(key, encoder.encode(signingInput)))}`;
}

/**
 * Verifies a compact HS256 JWT against `key` and returns its payload, or `null` when the
 * token is malformed, uses another algorithm, or its signature does not match. Claims such
 * as `exp` are not checked here.
 *
 * @example
 * const payload = verifyJwt(token, key);
 * if (payload === null) reject();
 */
export function verifyJwt(token: string, key: HmacKey): JwtPayload | null {
  const [headerSegment, payloadSegment, signatureSegment, ...rest] = token.split('.');
  if (headerSegment === undefined || payloadSegment === undefined || signatureSegment === undefined || rest.length > 0) {
    return null;
  }
  const header = decodeJsonObject(headerSegment);
  if (header === null || header.alg !== JWT_HEADER.alg) return null;
  const expected = base64UrlEncode(hmacSha256(key, encoder.encode(`${headerSegment}.${payloadSegment}`)));
  // Compare in full time regardless of where the first difference is.
  let diff = expected.length ^ signatureSegment.length;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (signatureSegment.charCodeAt(i) || 0);
  return diff === 0 ? decodeJsonObject(payloadSegment) : null;
}
