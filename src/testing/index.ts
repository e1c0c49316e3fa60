export {
  createAuthHandlers,
  type FakeEndpoint,
  type AuthHandlers,
  type AuthHandlersControl,
  type AuthHandlersOptions,
  type AuthSessionBody,
  type InjectedFailure,
  type RequestLogEntry,
  type ResponseOverride,
  type TestUser,
} from './createAuthHandlers';
export { createTestClock, type TestClock } from './createTestClock';
export { createAuthWrapper, createTestQueryClient, type AuthWrapperOptions } from './createAuthWrapper';
export { FAKE_CLIENT_ID, FAKE_FLAVOURS, FAKE_OTP, type FakeFlavour } from './flavours';
