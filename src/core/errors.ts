/** Every code an {@link AuthError} can carry. Branch on these, never on `message`. */
export type AuthErrorCode =
  | 'auth/invalid_credentials'
  | 'auth/network'
  | 'auth/invalid_response'
  | 'auth/session_expired'
  | 'auth/refresh_rejected'
  | 'auth/http'
  | 'auth/storage'
  | 'auth/invalid_config';

/** Details an {@link AuthError} carries besides its code. */
export interface AuthErrorOptions {
  status?: number;
  /** The `code` field of the server's error envelope, when it sent one. */
  serverCode?: string;
  cause?: unknown;
}

// A registry symbol rather than `instanceof`, so the guards still work when an app ends up
// with two copies of authloop (two bundles, a duplicated node_modules).
const AUTH_ERROR = Symbol.for('authloop.AuthError');

/**
 * The one error type authloop produces. `code` is stable; `status` is the HTTP status
 * where there was a response. Messages are fixed sentences and never contain a token.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly status: number | undefined;
  readonly serverCode: string | undefined;
  readonly [AUTH_ERROR] = true;

  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthError';
    this.code = code;
    this.status = options.status;
    this.serverCode = options.serverCode;
  }

  /** What `JSON.stringify(error)` prints: enough to debug, nothing secret. */
  toJSON(): { name: string; code: AuthErrorCode; status?: number; serverCode?: string; message: string } {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      serverCode: this.serverCode,
      message: this.message,
    };
  }
}

/** The username or password was wrong (`auth/invalid_credentials`). */
export class InvalidCredentialsError extends AuthError {
  constructor(options: AuthErrorOptions = {}) {
    super('auth/invalid_credentials', 'Invalid username or password.', options);
    this.name = 'InvalidCredentialsError';
  }
}

/** The server could not be reached (`auth/network`). */
export class AuthNetworkError extends AuthError {
  constructor(options: AuthErrorOptions = {}) {
    super('auth/network', 'The authentication server could not be reached.', options);
    this.name = 'AuthNetworkError';
  }
}

/** A response was not JSON, or did not match its schema, or carried an unusable token (`auth/invalid_response`). */
export class InvalidResponseError extends AuthError {
  /** Where the response went wrong, as schema issue paths and messages (never values). */
  readonly issues: ReadonlyArray<{ message: string; path: string }>;
  constructor(detail: string, issues: ReadonlyArray<{ message: string; path: string }> = [], options: AuthErrorOptions = {}) {
    super('auth/invalid_response', `The server sent an invalid response: ${detail}`, options);
    this.name = 'InvalidResponseError';
    this.issues = issues;
  }
}

/** There is no session, or the server no longer accepts it (`auth/session_expired`). */
export class SessionExpiredError extends AuthError {
  constructor(options: AuthErrorOptions = {}) {
    super('auth/session_expired', 'The session has expired. Sign in again.', options);
    this.name = 'SessionExpiredError';
  }
}

/** The server refused the refresh token (`auth/refresh_rejected`). */
export class RefreshRejectedError extends AuthError {
  constructor(options: AuthErrorOptions = {}) {
    super('auth/refresh_rejected', 'The server rejected the refresh token.', options);
    this.name = 'RefreshRejectedError';
  }
}

/** Any other unsuccessful HTTP response (`auth/http`). */
export class AuthHttpError extends AuthError {
  constructor(options: AuthErrorOptions & { status: number }) {
    super('auth/http', `The authentication server answered with HTTP ${options.status}.`, options);
    this.name = 'AuthHttpError';
  }
}

/** The session storage threw (quota exceeded, storage disabled); the session lives on in memory (`auth/storage`). */
export class AuthStorageError extends AuthError {
  constructor(options: AuthErrorOptions = {}) {
    super('auth/storage', 'The session could not be read from or written to storage.', options);
    this.name = 'AuthStorageError';
  }
}

/** An option passed to authloop is unusable (`auth/invalid_config`). */
export class AuthConfigError extends AuthError {
  constructor(detail: string) {
    super('auth/invalid_config', `Invalid authloop option: ${detail}`);
    this.name = 'AuthConfigError';
  }
}

/** True for any authloop error, even one from another copy of the package. */
export function isAuthError(value: unknown): value is AuthError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[AUTH_ERROR] === true;
}

/** True when the login failed because of the username or password. */
export function isInvalidCredentialsError(value: unknown): value is InvalidCredentialsError {
  return isAuthError(value) && value.code === 'auth/invalid_credentials';
}

/** Turns anything thrown at a boundary into an AuthError, keeping the original as `cause`. */
export function toAuthError(value: unknown): AuthError {
  if (isAuthError(value)) return value;
  return new AuthNetworkError({ cause: value });
}
