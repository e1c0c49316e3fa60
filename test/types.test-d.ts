import { createElement } from 'react';
import { z } from 'zod/v4';
import * as zm from 'zod/v4/mini';
import { describe, expectTypeOf, it } from 'vitest';
import {
  AuthProvider,
  createAuthClient,
  useMe,
  useSession,
  userSchema,
  type AuthError,
  type AuthErrorCode,
  type AuthSnapshot,
  type LoginResponse,
  type User,
} from '../src';

// No client is registered in this program: these are the types of an app that has not
// declared `interface Register`. The registered case has a program of its own
// (test/registered, checked by test/registeredTypes.test.ts), because a registration is global.

const appUserSchema = zm.extend(userSchema, { role: zm.optional(zm.string()) });
const appClient = createAuthClient({ schemas: { user: appUserSchema } });

describe('types', () => {
  it('infers the client user from the schema', async () => {
    const session = await appClient.login({ username: 'u', password: 'p' });
    expectTypeOf(session.user.role).toEqualTypeOf<string | undefined>();
    expectTypeOf(session.user.firstName).toEqualTypeOf<string>();
  });

  it('accepts a zod classic schema built on the exported shape', () => {
    const classic = z.object({ ...userSchema.shape, team: z.string() });
    const client = createAuthClient({ schemas: { user: classic } });
    expectTypeOf(client.fetchMe()).resolves.toHaveProperty('team').toEqualTypeOf<string>();
  });

  it('types the default user by its declared fields only, with no index signature', () => {
    expectTypeOf<User>().toEqualTypeOf<{ id: number; username: string; email: string; firstName: string; lastName: string }>();
    const session = useSession();
    if (session.status === 'authenticated') {
      // @ts-expect-error a typo of firstName
      void session.user.fristName;
      // @ts-expect-error a field the default schema does not declare
      void session.user.isAdmin;
    }
    expectTypeOf(useMe().data).toEqualTypeOf<User | undefined>();
  });

  it('types the login response as the client accepts it: refreshToken and expiresIn optional, no gender or image', () => {
    expectTypeOf<LoginResponse>().toEqualTypeOf<{
      id: number;
      username: string;
      email: string;
      firstName: string;
      lastName: string;
      accessToken: string;
      refreshToken?: string | undefined;
      expiresIn?: number | undefined;
    }>();
  });

  it('accepts config props on AuthProvider when no client is registered', () => {
    createElement(AuthProvider, { baseUrl: 'https://api.example.test', storage: 'localStorage', refreshTokenIn: 'cookie' });
    createElement(AuthProvider, { client: createAuthClient() });
    // @ts-expect-error a misspelt option is not a prop
    createElement(AuthProvider, { baseURL: 'https://api.example.test' });
  });

  it('narrows the session on status', () => {
    const session = useSession();
    if (session.status === 'unauthenticated') {
      expectTypeOf(session.reason).toEqualTypeOf<'expired' | 'revoked' | 'logged-out' | 'other-tab' | 'refresh-failed' | null>();
      expectTypeOf(session.error).toEqualTypeOf<AuthError | null>();
    }
    expectTypeOf(useSession((s) => s.status)).toEqualTypeOf<AuthSnapshot<unknown>['status']>();
  });

  it('exposes a closed set of error codes', () => {
    expectTypeOf<AuthErrorCode>().toEqualTypeOf<
      | 'auth/invalid_credentials'
      | 'auth/network'
      | 'auth/invalid_response'
      | 'auth/session_expired'
      | 'auth/refresh_rejected'
      | 'auth/http'
      | 'auth/storage'
      | 'auth/invalid_config'
      | 'auth/destroyed'
    >();
  });
});
