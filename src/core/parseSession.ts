import { invalidResponse } from './errors';
import { andThen, type MaybePromise } from './maybe';
import { tokenResponseSchema, validate, type StandardSchemaV1 } from './schemas';
import type { Session } from './sessionState';
import { computeTiming } from './tokens';

export interface ParseOptions<TUser> {
  userSchema: StandardSchemaV1<unknown, TUser>;
  leewayMs: number;
  opaqueTokens: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value == 'object' && value !== null && !Array.isArray(value);

/**
 * Builds a session from a login response, or from a refresh response when `previous` is
 * given (a server that does not rotate keeps the old refresh token). Every part is
 * validated before anything is returned, so a bad response can never leave a half-written
 * session behind. The user is parsed without the token fields, so tokens never end up in `user`.
 */
export async function parseSession<TUser>(
  body: unknown,
  options: ParseOptions<TUser>,
  receivedAt: number,
  previous?: Session<TUser>,
): Promise<Session<TUser>> {
  if (!isRecord(body)) throw invalidResponse('expected a JSON object.');
  const tokens = await validate(tokenResponseSchema, body);
  if (!tokens.ok) throw invalidResponse('the tokens are missing or malformed.', tokens.issues);
  const { accessToken, refreshToken, expiresIn, ...userFields } = tokens.value;
  const timing = computeTiming({ accessToken, receivedAt, expiresIn, leewayMs: options.leewayMs, opaque: options.opaqueTokens });
  const user = previous ? previous.user : await parseUser(options.userSchema, userFields);
  return { user, accessToken, refreshToken: refreshToken ?? previous?.refreshToken ?? null, ...timing };
}

/** The user of a login or of GET me, validated by the user schema; `status` is the answer's, where known. */
export async function parseUser<TUser>(userSchema: StandardSchemaV1<unknown, TUser>, value: unknown, status?: number): Promise<TUser> {
  const parsed = await validate(userSchema, value);
  if (!parsed.ok) throw invalidResponse('the user does not match the user schema.', parsed.issues, status);
  return parsed.value;
}

const STORED_VERSION = 1;

export function serializeSession<TUser>(session: Session<TUser>): string {
  return JSON.stringify({ v: STORED_VERSION, ...session });
}

const isTime = (value: unknown): value is number | null => value === null || Number.isFinite(value);

/**
 * Reads a stored session back; anything unexpected (garbage, an old format, a user the
 * schema refuses) is `null`. Synchronous when the user schema is.
 */
export function deserializeSession<TUser>(
  raw: string | null,
  userSchema: StandardSchemaV1<unknown, TUser>,
): MaybePromise<Session<TUser> | null> {
  let data: unknown;
  try {
    data = JSON.parse(raw!);
  } catch {
    // Not JSON: unreadable, like every other shape below.
  }
  if (!isRecord(data) || data.v !== STORED_VERSION) return null;
  const { accessToken, refreshToken, expiresAt, refreshAt } = data;
  if (typeof accessToken != 'string' || !accessToken || (refreshToken !== null && typeof refreshToken != 'string')) return null;
  if (!isTime(expiresAt) || !isTime(refreshAt)) return null;
  return andThen(validate(userSchema, data.user), (user) =>
    user.ok ? { user: user.value, accessToken, refreshToken, expiresAt, refreshAt } : null,
  );
}
