export { authKeys } from './authKeys';
export { systemClock, type Clock, type TimerHandle } from './clock';
export { createAuthClient } from './createAuthClient';
export type { AuthClient, AuthenticatedSnapshot } from './authClient';
export type { AuthEventMap, AuthEventType } from './authEvents';
export {
  DEFAULT_PATHS,
  DEFAULT_REFRESH_LEEWAY_MS,
  type AuthClientConfig,
  defaultUserId,
  type AuthPaths,
  type Credentials,
} from './config';
export { AuthError, InvalidCredentialsError, isAuthError, isInvalidCredentialsError, type AuthErrorCode, type AuthErrorIssue, type AuthErrorOptions } from './errors';
export { userSchema, type StandardSchemaV1, type User } from './schemas';
export {
  errorEnvelopeSchema,
  loginResponseSchema,
  refreshResponseSchema,
  type ErrorEnvelope,
  type LoginResponse,
  type RefreshResponse,
} from './contractSchemas';
export type { AuthSnapshot, EndReason } from './sessionState';
export type { StorageAdapter, StorageOption } from './storage';
export {
  contract,
  type AuthEndpoint,
  type AuthProtocol,
  type ContractOptions,
  type ErrorClassifier,
  type ErrorResponseInfo,
  type Grant,
  type ProtocolError,
  type ProtocolRequest,
} from './protocol';
export { oauth2, type OAuth2ErrorBody, type OAuth2Options } from './protocols/oauth2';
export { mappedJson, type LifetimeUnit, type MappedJsonOptions } from './protocols/mappedJson';
export type { WakeUpSources } from './refreshScheduler';
