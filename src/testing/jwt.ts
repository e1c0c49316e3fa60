/**
 * Minimal HS256 JWT signing and verification for the fake auth server.
 *
 * Uses only Web Crypto (`globalThis.crypto.subtle`), `TextEncoder`/`TextDecoder` and
 * `btoa`/`atob`, so it runs unchanged in Node (18+) and in the browser (Storybook, msw
 * service worker pages).
 */

/** A decoded JWT payload: a JSON object. */
export type JwtPayload = Record<string, unknown>;

// The only algorithm the fake server speaks; fixed so verification never trusts the header.
const JWT_HEADER = { alg: 'HS256', typ: 'JWT' } as const;

// 32 bytes = SHA-256's output length, the minimum HMAC key length RFC 2104 recommends.
const SECRET_BYTES = 32;

const HMAC_SHA256: HmacImportParams = { name: 'HMAC', hash: 'SHA-256' };

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

/**
 * Creates a fresh HMAC-SHA256 key from random bytes. The key is not extractable, so the
 * secret never leaves Web Crypto.
 *
 * @example
 * const key = await createHmacKey();
 * const token = await signJwt({ sub: '1' }, key);
 */
export function createHmacKey(): Promise<CryptoKey> {
  const secret = globalThis.crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return globalThis.crypto.subtle.importKey('raw', secret, HMAC_SHA256, false, [
    'sign',
    'verify',
  ]);
}

/**
 * Signs `payload` as a compact HS256 JWT.
 *
 * @example
 * const token = await signJwt({ sub: '1', exp: 1_700_000_900 }, key);
 */
export async function signJwt(payload: JwtPayload, key: CryptoKey): Promise<string> {
  const signingInput = `${encodeJson(JWT_HEADER)}.${encodeJson(payload)}`;
  const signature = await globalThis.crypto.subtle.sign(
    HMAC_SHA256.name,
    key,
    encoder.encode(signingInput),
  );
  return `${signingInput}.${base64UrlEncode(new Uint8Array(signature))}`;
}

/**
 * Verifies a compact HS256 JWT against `key` and returns its payload, or `null` when the
 * token is malformed, uses another algorithm, or its signature does not match. Claims such
 * as `exp` are not checked here.
 *
 * @example
 * const payload = await verifyJwt(token, key);
 * if (payload === null) reject();
 */
export async function verifyJwt(token: string, key: CryptoKey): Promise<JwtPayload | null> {
  const [headerSegment, payloadSegment, signatureSegment, ...rest] = token.split('.');
  if (headerSegment === undefined || payloadSegment === undefined || signatureSegment === undefined || rest.length > 0) {
    return null;
  }
  const header = decodeJsonObject(headerSegment);
  if (header === null || header.alg !== JWT_HEADER.alg) return null;

  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = base64UrlDecode(signatureSegment);
  } catch {
    return null;
  }
  const valid = await globalThis.crypto.subtle.verify(
    HMAC_SHA256.name,
    key,
    signature,
    encoder.encode(`${headerSegment}.${payloadSegment}`),
  );
  return valid ? decodeJsonObject(payloadSegment) : null;
}
