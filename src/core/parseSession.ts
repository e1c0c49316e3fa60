import { invalidResponse } from './errors';
import { tokenResponseSchema, validate, type StandardSchemaV1, type Validation } from './schemas';
import type { Session } from './sessionState';
import { computeTiming } from './tokens';

export interface ParseOptions<TUser> {
  userSchema: StandardSchemaV1<unknown, TUser>;
  receivedAt: number;
  leewayMs: number;
  opaqueTokens: boolean;
}

const TOKEN_FIELDS = ['accessToken', 'refreshToken', 'expiresIn'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readTokens(body: unknown, options: ParseOptions<unknown>) {
  if (!isRecord(body)) throw invalidResponse('expected a JSON object.');
  const tokens = await validate(tokenResponseSchema, body);
  if (!tokens.ok) throw invalidResponse('the tokens are missing or malformed.', tokens.issues);
  const timing = computeTiming({
    accessToken: tokens.value.accessToken,
    receivedAt: options.receivedAt,
    expiresIn: tokens.value.expiresIn,
    leewayMs: options.leewayMs,
    opaque: options.opaqueTokens,
  });
  return { ...tokens.value, ...timing };
}

/**
 * Builds a session from a login response: every part is validated before anything is
 * returned, so a bad response can never leave a half-written session behind. The user is
 * parsed without the token fields, so tokens never end up in `user`.
 */
export async function parseLoginResponse<TUser>(body: unknown, options: ParseOptions<TUser>): Promise<Session<TUser>> {
  const tokens = await readTokens(body, options);
  const userFields = Object.fromEntries(Object.entries(body as object).filter(([key]) => !TOKEN_FIELDS.includes(key)));
  const user = await validate(options.userSchema, userFields);
  if (!user.ok) throw invalidResponse('the user does not match the user schema.', user.issues);
  return {
    user: user.value,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken ?? null,
    expiresAt: tokens.expiresAt,
    refreshAt: tokens.refreshAt,
  };
}

/** Builds the next session from a refresh response; a server that does not rotate keeps the old refresh token. */
export async function parseRefreshResponse<TUser>(
  body: unknown,
  previous: Session<TUser>,
  options: ParseOptions<TUser>,
): Promise<Session<TUser>> {
  const tokens = await readTokens(body, options);
  return {
    user: previous.user,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken ?? previous.refreshToken,
    expiresAt: tokens.expiresAt,
    refreshAt: tokens.refreshAt,
  };
}

const STORED_VERSION = 1;

export function serializeSession<TUser>(session: Session<TUser>): string {
  return JSON.stringify({ v: STORED_VERSION, ...session });
}

function isTime(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Reads a stored session back; anything unexpected (garbage, an old format, a user the
 * schema refuses) is `null`. Synchronous when the user schema is.
 */
export function deserializeSession<TUser>(
  raw: string | null,
  userSchema: StandardSchemaV1<unknown, TUser>,
): MaybePromise<Session<TUser> | null> {
  if (raw === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(data) || data.v !== STORED_VERSION) return null;
  const { accessToken, refreshToken, expiresAt, refreshAt } = data;
  if (typeof accessToken !== 'string' || accessToken === '') return null;
  if (refreshToken !== null && typeof refreshToken !== 'string') return null;
  if (!isTime(expiresAt) || !isTime(refreshAt)) return null;
  const build = (user: Validation<TUser>): Session<TUser> | null =>
    user.ok ? { user: user.value, accessToken, refreshToken, expiresAt, refreshAt } : null;
  const user = validate(userSchema, data.user);
  return user instanceof Promise ? user.then(build) : build(user);
}
