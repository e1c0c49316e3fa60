export { authKeys } from './authKeys';
export { systemClock, type Clock, type TimerHandle } from './clock';
export { createAuthClient, type AuthClient } from './createAuthClient';
export {
  DEFAULT_PATHS,
  DEFAULT_REFRESH_LEEWAY_MS,
  type AuthClientConfig,
  type AuthPaths,
  type Credentials,
} from './config';
export { AuthError, isAuthError, isInvalidCredentialsError, type AuthErrorCode, type AuthErrorIssue, type AuthErrorOptions } from './errors';
export {
  errorEnvelopeSchema,
  loginResponseSchema,
  refreshResponseSchema,
  userSchema,
  type ErrorEnvelope,
  type LoginResponse,
  type RefreshResponse,
  type StandardSchemaV1,
  type User,
} from './schemas';
export type { AuthSnapshot, EndReason } from './sessionState';
export type { StorageAdapter, StorageOption } from './storage';
export type { AuthEndpoint, ErrorClassifier, ErrorResponseInfo } from './transport';
