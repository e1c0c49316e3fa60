// authloop/testing/server: the reference auth server for Node. Imports node:http, so it is
// an entry of its own, never reachable from the browser-safe authloop/testing.
export { startAuthServer, type AuthServer, type AuthServerOptions } from './startAuthServer';
export { createFakeAuthServer, type FakeAuthServer } from './fakeAuthServer';
export type { StaticFile } from './staticFiles';
export type { Replies } from './replies';
export type { FakeEndpoint } from './routes';
export { FAKE_CLIENT_ID, FAKE_FLAVOURS, FAKE_OTP, type FakeFlavour } from './flavours';
export type {
  AuthHandlersControl,
  AuthSessionBody,
  FakeAuthServerOptions,
  FakeAuthServerSetup,
  InjectedFailure,
  RequestLogEntry,
  ResponseFactory,
  ResponseOverride,
  TestUser,
  TokenLifetimes,
} from './fakeAuthTypes';
