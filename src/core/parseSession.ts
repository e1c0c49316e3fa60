import { invalidResponse } from './errors';
import type { Grant } from './protocol';
import { validate, type StandardSchemaV1 } from './schemas';
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

/**
 * Builds a session from a grant, keeping `keep`'s user (a refresh keeps the current user
 * object) and its refresh token when the grant brings none (a server that does not
 * rotate). Throws before anything is returned, so a bad answer never leaves a
 * half-written session behind.
 */
export function parseSession<TUser>(
  grant: Grant,
  options: Omit<ParseOptions<TUser>, 'userSchema'>,
  timing: GrantTiming,
  keep: Pick<SessionRecord<TUser>, 'user' | 'refreshToken' | 'lineage'>,
): SessionRecord<TUser> {
  const { accessToken, refreshToken, expiresIn } = grant;
  const expiry = computeTiming({ accessToken, expiresIn, leewayMs: options.leewayMs, opaque: options.opaqueTokens, ...timing });
  return { user: keep.user, accessToken, refreshToken: refreshToken ?? keep.refreshToken, ...expiry, lineage: keep.lineage };
}

/** The user of a login or of GET me, validated by the user schema; `status` is the answer's, where known. */
export async function parseUser<TUser>(userSchema: StandardSchemaV1<unknown, TUser>, value: unknown, status?: number): Promise<TUser> {
  const parsed = await validate(userSchema, value);
  if (!parsed.ok) throw invalidResponse('the user does not match the user schema.', parsed.issues, status);
  return parsed.value;
}
