import type { QueryClient } from '@tanstack/query-core';
import type { AuthEventMap, AuthEventType } from './authEvents';
import type { Credentials } from './config';
import type { userSchema as defaultUserSchema, StandardSchemaV1 } from './schemas';
import type { AuthSnapshot } from './sessionState';

/** The snapshot of a signed-in session. */
export type AuthenticatedSnapshot<TUser> = Extract<AuthSnapshot<TUser>, { status: 'authenticated' }>;

/** The framework-free engine behind the hooks. `TCredentials` is what its protocol's login takes. */
export interface AuthClient<TUser = StandardSchemaV1.InferOutput<typeof defaultUserSchema>, TCredentials = Credentials> {
  /** The current state; the same object until something changes. Reads only (a synchronous storage is read once). */
  getSnapshot(): AuthSnapshot<TUser>;
  /** The snapshot a server render shows: `loading` with persistent storage or a cookie refresh, else `unauthenticated`. */
  getServerSnapshot(): AuthSnapshot<TUser>;
  /** Calls `listener` on every change of the snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Starts the refresh timer, the focus/online wake-ups and the tab channel; returns the
   * function that undoes it. Reference-counted: the last unmount stops them and aborts the
   * requests in flight, keeping the session. `<AuthProvider>` mounts its client in an effect.
   * Unmounted, the client still works on demand (`getAccessToken` refreshes when due).
   */
  mount(): () => void;
  /** Signs in; resolves once the session is stored. Rejects with an {@link AuthError}; `auth/invalid_credentials` for a wrong password. */
  login(credentials: TCredentials): Promise<AuthenticatedSnapshot<TUser>>;
  /**
   * Ends the session here and in every tab: storage cleared (resolves after), auth queries
   * removed. With `paths.logout` (or a protocol's logout), then tells the server (a failure there goes to `onError`).
   */
  logout(): Promise<void>;
  /**
   * A fresh access token, refreshing first if it is due; `null` when signed out. While a
   * failed refresh waits out its backoff, an expired token rejects at once with that failure.
   */
  getAccessToken(): Promise<string | null>;
  /** Refreshes now (joining a refresh already in flight). */
  refresh(): Promise<void>;
  /**
   * `fetch` with the bearer token for `baseUrl`'s origin and `allowedOrigins`; a 401 causes
   * one shared refresh and one retry. Other origins get the request untouched.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** GET me, validated by the user schema; the session's user becomes it (same user, no refresh in flight). */
  fetchMe(): Promise<TUser>;
  /** What tells this user apart (`getUserId`); `undefined` when the user has no id. */
  getUserId(user: TUser): string | number | undefined;
  /**
   * Settles once the status is no longer `loading` (a stored session restored, the cookie
   * probe answered), with that snapshot. The same promise every time, so Suspense can wait on it.
   */
  whenReady(): Promise<Exclude<AuthSnapshot<TUser>, { status: 'loading' }>>;
  /**
   * Listens to `login` (a user became signed in: a login, a restore, another tab), `refresh`
   * (the same user's token was replaced), `logout` (with the reason) and `error` (what
   * `onError` gets); returns the function that stops listening.
   *
   * @example
   * client.on('refresh', () => socket.reconnect());
   */
  on<K extends AuthEventType>(type: K, listener: (payload: AuthEventMap<TUser>[K]) => void): () => void;
  /** Lets logout and user switches clear this QueryClient's auth queries; returns the unbind function. */
  bindQueryClient(queryClient: QueryClient): () => void;
  /** Stops everything and aborts what is in flight; every later call rejects with `auth/destroyed` and sends nothing. */
  destroy(): void;
}
