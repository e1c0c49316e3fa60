// Type checks for an app that registered its client. Compiled on its own (./tsconfig.json),
// by `npm run typecheck` and by test/registeredTypes.test.ts: every expectation below, and
// every @ts-expect-error, is a compile error when it does not hold.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import * as z from 'zod/v4/mini';
import { expectTypeOf } from 'vitest';
import { AuthProvider, createAuthClient, useLogin, useMe, useSession, userSchema } from '../../src';

const appUserSchema = z.extend(userSchema, { role: z.string() });
const appClient = createAuthClient({ schemas: { user: appUserSchema } });
type AppUser = z.infer<typeof appUserSchema>;

declare module '../../src' {
  interface Register {
    client: typeof appClient;
  }
}

// A hook of its own, so the rules of hooks hold; never called, only compiled.
export function useRegisteredTypes() {
  const session = useSession();
  if (session.status === 'authenticated') {
    expectTypeOf(session.user).toEqualTypeOf<AppUser>();
    expectTypeOf(session.user.role).toEqualTypeOf<string>();
    // @ts-expect-error the registered user has no such field
    void session.user.isAdmin;
  }
  expectTypeOf(useMe().data).toEqualTypeOf<AppUser | undefined>();
  expectTypeOf(useLogin().data?.user).toEqualTypeOf<AppUser | undefined>();
}

const queryClient = new QueryClient();

export const withTheRegisteredClient = (
  <QueryClientProvider client={queryClient}>
    <AuthProvider client={appClient} />
  </QueryClientProvider>
);

export const withConfigPropsOnly = (
  // @ts-expect-error a registered client must be passed: config props would build one with the default user schema
  <AuthProvider baseUrl="https://api.example.test" />
);

export const withAClientOfAnotherUserType = (
  // @ts-expect-error a client whose user has no `role: string` is not the registered one
  <AuthProvider client={createAuthClient({ baseUrl: 'https://api.example.test' })} />
);
