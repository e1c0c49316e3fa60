import { z } from 'zod/v4';
import * as zm from 'zod/v4/mini';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createAuthClient,
  useMe,
  useSession,
  userSchema,
  type AuthError,
  type AuthErrorCode,
  type AuthSnapshot,
} from '../src';

// The documented way to extend the user: the extended type reaches every hook through
// one `Register` declaration, with no generic at the call sites.
const appUserSchema = zm.extend(userSchema, { role: zm.optional(zm.string()) });
const appClient = createAuthClient({ schemas: { user: appUserSchema } });

declare module '../src' {
  interface Register {
    client: typeof appClient;
  }
}

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

  it('types useSession and useMe by the registered client', () => {
    const session = useSession();
    if (session.status === 'authenticated') expectTypeOf(session.user.role).toEqualTypeOf<string | undefined>();
    expectTypeOf(useMe().data).toEqualTypeOf<z.infer<typeof appUserSchema> | undefined>();
    expectTypeOf(useSession((s) => s.status)).toEqualTypeOf<AuthSnapshot<unknown>['status']>();
  });

  it('narrows the session on status', () => {
    const session = useSession();
    if (session.status === 'unauthenticated') {
      expectTypeOf(session.reason).toEqualTypeOf<'expired' | 'revoked' | 'logged-out' | 'other-tab' | 'refresh-failed' | null>();
      expectTypeOf(session.error).toEqualTypeOf<AuthError | null>();
    }
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
