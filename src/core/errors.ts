/** Every code an {@link AuthError} can carry. Branch on these, never on `message`. */
export type AuthErrorCode =
  | 'auth/invalid_credentials'
  | 'auth/network'
  | 'auth/invalid_response'
  | 'auth/session_expired'
  | 'auth/refresh_rejected'
  | 'auth/http'
  | 'auth/storage'
  | 'auth/invalid_config'
  | 'auth/destroyed';

/** Where a response or an option went wrong: a schema path and its message, never the value. */
export interface AuthErrorIssue {
  message: string;
  path: string;
}

/** Details an {@link AuthError} carries besides its code. */
export interface AuthErrorOptions {
  /** Appended to the code's fixed sentence, e.g. which option was unusable. Never a value from a response. */
  detail?: string;
  status?: number;
  /** The `code` field of the server's error envelope, when it sent one. */
  serverCode?: string;
  /** For `auth/invalid_response`: the schema issues, as paths and messages. */
  issues?: readonly AuthErrorIssue[];
  cause?: unknown;
}

// A registry symbol rather than `instanceof`, so the guards still work when an app ends up
// with two copies of authloop (two bundles, a duplicated node_modules).
const AUTH_ERROR = Symbol.for('authloop.AuthError');

const MESSAGES: Record<AuthErrorCode, string> = {
  'auth/invalid_credentials': 'Invalid username or password',
  'auth/network': 'The authentication server could not be reached; a cross-origin request blocked by CORS looks the same',
  'auth/invalid_response': 'The server sent an invalid response',
  'auth/session_expired': 'The session has expired; sign in again',
  'auth/refresh_rejected': 'The server rejected the refresh token',
  'auth/http': 'The authentication server answered with an error',
  'auth/storage': 'The session could not be read from or written to storage',
  'auth/invalid_config': 'Invalid authloop option',
  'auth/destroyed': 'This auth client was destroyed; create a new one',
};

/**
 * The one error type authloop produces. `code` is stable; `status` is the HTTP status
 * where there was a response. Messages are fixed sentences and never contain a token.
 *
 * @example
 * if (isAuthError(error) && error.code === 'auth/network') showOfflineBanner();
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly status: number | undefined;
  readonly serverCode: string | undefined;
  /** Schema issues of an `auth/invalid_response`; empty for every other code. */
  readonly issues: readonly AuthErrorIssue[];
  readonly [AUTH_ERROR] = true;

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    const { detail, cause } = options;
    super(MESSAGES[code] + (detail ? `: ${detail}` : '.'), cause === undefined ? undefined : { cause });
    this.name = 'AuthError';
    this.code = code;
    this.status = options.status;
    this.serverCode = options.serverCode;
    this.issues = options.issues ?? [];
  }

  /** What `JSON.stringify(error)` prints: enough to debug, nothing secret (the cause is left out). */
  toJSON(): { name: string; message: string; code: AuthErrorCode; status?: number; serverCode?: string; issues: readonly AuthErrorIssue[] } {
    return { ...this, name: this.name, message: this.message };
  }
}

/**
 * The error of a wrong username or password: `code` is always `auth/invalid_credentials`.
 * `instanceof` works within one copy of authloop; {@link isInvalidCredentialsError} works across copies.
 *
 * @example
 * if (login.error instanceof InvalidCredentialsError) return <p>Wrong username or password</p>;
 */
export class InvalidCredentialsError extends AuthError {
  declare readonly code: 'auth/invalid_credentials';
  constructor(options: AuthErrorOptions = {}) {
    super('auth/invalid_credentials', options);
    this.name = 'InvalidCredentialsError';
  }
}

/** An AuthError of this code: an {@link InvalidCredentialsError} for `auth/invalid_credentials`. */
export function createAuthError(code: AuthErrorCode, options?: AuthErrorOptions): AuthError {
  return code === 'auth/invalid_credentials' ? new InvalidCredentialsError(options) : new AuthError(code, options);
}

/** True for any authloop error, even one from another copy of the package. */
export function isAuthError(value: unknown): value is AuthError {
  return (value as Record<symbol, unknown> | null)?.[AUTH_ERROR] === true;
}

/** True when the login failed because of the username or password (`auth/invalid_credentials`). */
export function isInvalidCredentialsError(value: unknown): value is AuthError & { code: 'auth/invalid_credentials' } {
  return isAuthError(value) && value.code === 'auth/invalid_credentials';
}

/** Turns anything thrown at a boundary into an AuthError, keeping the original as `cause`. */
export function toAuthError(cause: unknown): AuthError {
  return isAuthError(cause) ? cause : new AuthError('auth/network', { cause });
}

/** An `auth/invalid_response` error; `detail` says what was wrong, never what was sent. */
export function invalidResponse(detail: string, issues?: readonly AuthErrorIssue[], status?: number): AuthError {
  return new AuthError('auth/invalid_response', { detail, issues, status });
}
