import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, renderHook, screen } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { AuthProvider, useLogin, useSession, type AuthClientConfig, type StorageAdapter } from '../../src';
import { createAuthWrapper, createTestQueryClient } from '../../src/testing';
import { BASE_URL, MINUTE, emily, setup, startMswServer } from '../harness';

// Regressions of the engine rewrite: each test here failed on the engine before it (709199f).

startMswServer();

/** A provider that makes its own client from config props, as an app writes it. */
function providerWrapper(config: AuthClientConfig, strict = false) {
  const queryClient = createTestQueryClient();
  return function Wrapper({ children }: { children?: ReactNode }) {
    const tree = (
      <QueryClientProvider client={queryClient}>
        <AuthProvider baseUrl={BASE_URL} crossTab={false} {...config}>
          {children}
        </AuthProvider>
      </QueryClientProvider>
    );
    return strict ? <StrictMode>{tree}</StrictMode> : tree;
  };
}

describe('<AuthProvider> lifetime', () => {
  it('stops the client it made when it unmounts: no refresh is sent after the deadline', async () => {
    const { clock, control } = setup({ accessTokenTtl: 900 });
    const { result, unmount } = renderHook(() => useLogin(), { wrapper: providerWrapper({ clock }) });
    await act(() => result.current.mutateAsync(emily));
    unmount();
    await clock.advance(20 * MINUTE);
    expect(control.counts()).toMatchObject({ login: 1, refresh: 0 });
  });

  it("under StrictMode starts its client once: one restore, one refresh, and nothing running after the real unmount", async () => {
    const { clock, control, makeClient } = setup({ accessTokenTtl: 900 });
    const map = new Map<string, string>();
    const storage: StorageAdapter = {
      get: (key) => map.get(key) ?? null,
      set: (key, value) => void map.set(key, value),
      remove: (key) => void map.delete(key),
    };
    const first = makeClient({ storage });
    await first.login(emily);
    first.destroy();
    clock.jump(20 * MINUTE); // the stored access token has expired: the restore refreshes it
    const statuses: string[] = [];
    const { unmount } = renderHook(
      () => {
        const status = useSession((session) => session.status);
        if (statuses.at(-1) !== status) statuses.push(status);
      },
      { wrapper: providerWrapper({ clock, storage }, true) },
    );
    await act(() => clock.flush());
    expect(statuses).toEqual(['loading', 'authenticated']);
    expect(control.counts().refresh).toBe(1);
    unmount();
    await clock.advance(20 * MINUTE);
    expect(control.counts().refresh).toBe(1);
  });
});

describe('useSession(selector)', () => {
  it('re-selects when the selector reads a new prop', () => {
    const { makeClient } = setup();
    function Status({ prefix }: { prefix: string }) {
      return <p>{useSession((session) => `${prefix}:${session.status}`)}</p>;
    }
    const { rerender } = render(<Status prefix="a" />, { wrapper: createAuthWrapper({ client: makeClient() }) });
    expect(screen.getByText('a:unauthenticated')).toBeTruthy();
    rerender(<Status prefix="b" />);
    expect(screen.getByText('b:unauthenticated')).toBeTruthy();
  });

  it('hydrates an object-returning selector without the "getServerSnapshot should be cached" error', async () => {
    const { makeClient } = setup();
    const Wrapper = createAuthWrapper({ client: makeClient() });
    function Status() {
      const { status } = useSession((session) => ({ status: session.status }));
      return <p>status:{status}</p>;
    }
    const container = document.createElement('div');
    container.innerHTML = renderToString(
      <Wrapper>
        <Status />
      </Wrapper>,
    );
    document.body.appendChild(container);
    const consoleError = vi.spyOn(console, 'error');
    let root: Root | undefined;
    try {
      await act(async () => {
        root = hydrateRoot(
          container,
          <Wrapper>
            <Status />
          </Wrapper>,
        );
      });
      expect(container.textContent).toBe('status:unauthenticated');
      expect(consoleError.mock.calls.map((args) => args.map(String).join(' ')).filter((line) => /getServerSnapshot should be cached/.test(line))).toEqual([]);
    } finally {
      act(() => root?.unmount());
      container.remove();
    }
  });
});
