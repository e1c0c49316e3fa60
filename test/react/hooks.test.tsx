import { act, render, renderHook, screen, waitFor } from '@testing-library/react';
import { Profiler, StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { authKeys, isInvalidCredentialsError, useLogin, useLogout, useMe, useSession, RequireAuth } from '../../src';
import { createAuthWrapper, createTestQueryClient } from '../../src/testing';
import { MINUTE, emily, michael, setup, startMswServer } from '../harness';

startMswServer();

describe('useSession', () => {
  it('throws a clear message outside <AuthProvider>', () => {
    expect(() => renderHook(() => useSession())).toThrow('useSession must be used within <AuthProvider>.');
  });

  it('starts unauthenticated with memory storage', () => {
    const { makeClient } = setup();
    const { result } = renderHook(() => useSession(), { wrapper: createAuthWrapper({ client: makeClient() }) });
    expect(result.current).toEqual({ status: 'unauthenticated', reason: null, error: null });
  });

  it('a user selector does not re-render on refresh, a token selector renders once', async () => {
    const { makeClient, clock, control } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    const renders = { user: 0, token: 0 };
    function UserName() {
      const user = useSession((s) => (s.status === 'authenticated' ? s.user : null));
      return <span>{user?.firstName}</span>;
    }
    function Token() {
      const token = useSession((s) => (s.status === 'authenticated' ? s.accessToken : null));
      return <span>{token ? 'token' : 'none'}</span>;
    }
    render(
      <>
        <Profiler id="user" onRender={() => renders.user++}>
          <UserName />
        </Profiler>
        <Profiler id="token" onRender={() => renders.token++}>
          <Token />
        </Profiler>
      </>,
      { wrapper: createAuthWrapper({ client }) },
    );
    const before = { ...renders };
    await act(() => clock.advance(14 * MINUTE));
    expect(control.counts().refresh).toBe(1);
    expect(renders.user - before.user).toBe(0);
    expect(renders.token - before.token).toBe(1);
  });
});

describe('useLogin', () => {
  it('signs in and chains the caller onSuccess', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    const seen: string[] = [];
    const { result } = renderHook(
      () => ({ login: useLogin({ onSuccess: (s) => void seen.push(s.user.username) }), session: useSession() }),
      { wrapper: createAuthWrapper({ client }) },
    );
    await act(() => result.current.login.mutateAsync(emily));
    expect(result.current.session.status).toBe('authenticated');
    expect(seen).toEqual(['emilys']);
  });

  it('gives an auth/invalid_credentials error for a wrong password', async () => {
    const { makeClient } = setup();
    const { result } = renderHook(() => useLogin(), { wrapper: createAuthWrapper({ client: makeClient() }) });
    act(() => result.current.mutate({ username: 'emilys', password: 'wrong' }));
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(isInvalidCredentialsError(result.current.error)).toBe(true);
  });
});

describe('useMe', () => {
  it('is disabled while signed out and fetches once signed in', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    const { result } = renderHook(() => useMe(), { wrapper: createAuthWrapper({ client }) });
    expect(result.current.fetchStatus).toBe('idle');
    await act(() => client.login(emily));
    await waitFor(() => expect(result.current.data?.username).toBe('emilys'));
    expect(control.counts().me).toBe(1);
  });

  it('keeps fields the schema does not name', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    await client.login(emily);
    const { result } = renderHook(() => useMe(), { wrapper: createAuthWrapper({ client }) });
    await waitFor(() => expect(result.current.data).toMatchObject({ role: 'admin' }));
  });

  it('meets a 401 with one shared refresh and one retry, not React Query retries', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    await client.login(emily);
    control.failNext('me', 1, { status: 401, body: { message: 'Token expired', code: 'auth/token_expired' } });
    const queryClient = createTestQueryClient();
    queryClient.setDefaultOptions({ queries: { retry: 3 } });
    const { result } = renderHook(() => useMe({ retry: undefined }), { wrapper: createAuthWrapper({ client, queryClient }) });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(control.counts()).toMatchObject({ me: 2, refresh: 1 });
  });
});

describe('useLogout', () => {
  it("removes the previous user's queries so the next user never reads them", async () => {
    const { makeClient } = setup();
    const client = makeClient();
    const queryClient = createTestQueryClient();
    await client.login(emily);
    queryClient.setQueryData(authKeys.user('todos'), ['emily todo']);
    const { result } = renderHook(() => ({ logout: useLogout(), me: useMe(), session: useSession() }), {
      wrapper: createAuthWrapper({ client, queryClient }),
    });
    await waitFor(() => expect(result.current.me.data?.username).toBe('emilys'));
    await act(() => result.current.logout.mutateAsync());
    expect(result.current.session).toMatchObject({ status: 'unauthenticated', reason: 'logged-out' });
    await act(() => client.login(michael));
    await waitFor(() => expect(result.current.me.data?.username).toBe('michaelw'));
    const cached = queryClient.getQueryCache().findAll({ queryKey: authKeys.all }).map((q) => q.state.data);
    expect(JSON.stringify(cached)).not.toContain('emily');
  });
});

describe('RequireAuth', () => {
  it('renders the fallback when signed out and the children when signed in', async () => {
    const { makeClient } = setup();
    const client = makeClient();
    render(
      <RequireAuth fallback={<p>please sign in</p>}>
        <p>secret</p>
      </RequireAuth>,
      { wrapper: createAuthWrapper({ client }) },
    );
    expect(screen.getByText('please sign in')).toBeTruthy();
    await act(() => client.login(emily));
    expect(screen.getByText('secret')).toBeTruthy();
  });
});

describe('StrictMode', () => {
  it('starts one refresh timer and sends one refresh under StrictMode', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    function Status() {
      return <p>{useSession().status}</p>;
    }
    render(
      <StrictMode>
        <Status />
      </StrictMode>,
      { wrapper: createAuthWrapper({ client, strict: true }) },
    );
    await act(() => client.login(emily));
    expect(clock.pendingTimers()).toBe(1);
    await act(() => clock.advance(14 * MINUTE));
    expect(control.counts().refresh).toBe(1);
    expect(clock.pendingTimers()).toBe(1);
  });
});
