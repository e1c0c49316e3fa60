import { invalidResponse } from './errors';
import type { Grant } from './protocol';
import { tokenResponseSchema, validate, type StandardSchemaV1 } from './schemas';
import type { SessionRecord } from './sessionState';
import { computeTiming } from './tokens';

export interface ParseOptions<TUser> {
  userSchema: StandardSchemaV1<unknown, TUser>;
  leewayMs: number;
  opaqueTokens: boolean;
}

/** Local times around the request that brought a grant, and the server's clock where it said. */
export interface GrantTiming {
  sentAt: number;
  receivedAt?: number | undefined;
  serverDate?: number | undefined;
}

/** A grant the engine checked: tokens are non-empty strings, a lifetime a positive number. */
export interface ValidGrant {
  accessToken: string;
  refreshToken?: string | undefined;
  expiresIn?: number | undefined;
  expiresAt?: unknown;
  user?: unknown;
}

/** Validates what a protocol read from an answer; an unusable grant is an `auth/invalid_response` error. */
export async function parseGrant(grant: Grant): Promise<ValidGrant> {
  // The contract's refresh answer is exactly the token fields every grant has; the rest passes through.
  const tokens = await validate(tokenResponseSchema, grant);
  if (!tokens.ok) throw invalidResponse('the tokens are missing or malformed.', tokens.issues);
  return tokens.value;
}

/**
 * Builds a session from a grant, keeping `keep`'s user (a refresh keeps the current user
 * object) and its refresh token when the grant brings none (a server that does not
 * rotate). Throws before anything is returned, so a bad answer never leaves a
 * half-written session behind.
 */
export function parseSession<TUser>(
  grant: ValidGrant,
  options: Omit<ParseOptions<TUser>, 'userSchema'>,
  timing: GrantTiming,
  keep: Pick<SessionRecord<TUser>, 'user' | 'refreshToken' | 'lineage'>,
): SessionRecord<TUser> {
  const { accessToken, refreshToken, expiresAt } = grant;
  let { expiresIn } = grant;
  if (expiresIn === undefined && expiresAt !== undefined) {
    // An absolute expiry is on the server's clock: measured from its Date where it sent one.
    expiresIn = ((expiresAt as number) - (timing.serverDate ?? timing.sentAt)) / 1000;
    // Also NaN: an expiresAt that is not a number.
    if (!(expiresIn > 0)) throw invalidResponse('the access token was already expired when it arrived.');
  }
  const expiry = computeTiming({ accessToken, expiresIn, leewayMs: options.leewayMs, opaque: options.opaqueTokens, ...timing });
  return { user: keep.user, accessToken, refreshToken: refreshToken ?? keep.refreshToken, ...expiry, lineage: keep.lineage };
}

/** The user of a login or of GET me, validated by the user schema; `status` is the answer's, where known. */
export async function parseUser<TUser>(userSchema: StandardSchemaV1<unknown, TUser>, value: unknown, status?: number): Promise<TUser> {
  const parsed = await validate(userSchema, value);
  if (!parsed.ok) throw invalidResponse('the user does not match the user schema.', parsed.issues, status);
  return parsed.value;
}
