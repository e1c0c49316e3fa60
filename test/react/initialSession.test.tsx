import { QueryClientProvider } from '@tanstack/react-query';
import { act } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthProvider, createAuthClient, useSession } from '../../src';
import { createTestQueryClient } from '../../src/testing';
import { BASE_URL, setup, startMswServer } from '../harness';

startMswServer();

const USER = { id: 1, username: 'emilys', email: 'emily.johnson@x.example', firstName: 'Emily', lastName: 'Johnson' };

let container: HTMLElement | null = null;
afterEach(() => {
  container?.remove();
  container = null;
});

function Page({ seen }: { seen: string[] }) {
  const session = useSession();
  seen.push(session.status);
  return <p>{session.status === 'authenticated' ? `Hello ${session.user.firstName}` : session.status}</p>;
}

function app(initialSession: { user: typeof USER } | null, seen: string[]) {
  return (
    <QueryClientProvider client={createTestQueryClient()}>
      <AuthProvider baseUrl={BASE_URL} refreshTokenIn="cookie" crossTab={false} initialSession={initialSession}>
        <Page seen={seen} />
      </AuthProvider>
    </QueryClientProvider>
  );
}

/** Renders on the "server", then hydrates that HTML; returns what each side rendered and any recoverable error. */
async function serverThenClient(initialSession: { user: typeof USER } | null) {
  const serverSeen: string[] = [];
  const html = renderToString(app(initialSession, serverSeen));
  container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  const clientSeen: string[] = [];
  const recoverable: unknown[] = [];
  const errors = vi.spyOn(console, 'error');
  await act(async () => {
    hydrateRoot(container!, app(initialSession, clientSeen), { onRecoverableError: (error) => recoverable.push(error) });
  });
  return { html, serverSeen, clientSeen, recoverable, errors: errors.mock.calls };
}

describe('initialSession', () => {
  it('renders authenticated on the server, with the user and no token in the HTML', () => {
    const client = createAuthClient({ baseUrl: BASE_URL, refreshTokenIn: 'cookie', initialSession: { user: USER } });
    expect(client.getServerSnapshot()).toMatchObject({ status: 'authenticated', user: USER, accessToken: '' });
    const html = renderToString(app({ user: USER }, []));
    expect(html).toContain('Hello Emily');
    expect(html).not.toMatch(/eyJ|Bearer/);
  });

  it('hydrates without a mismatch, and the first client render is authenticated (no flash)', async () => {
    setup({ refreshTokenFrom: 'cookie' });
    const { serverSeen, clientSeen, recoverable, errors } = await serverThenClient({ user: USER });
    expect(serverSeen).toEqual(['authenticated']);
    expect(clientSeen[0]).toBe('authenticated');
    expect(clientSeen).not.toContain('loading');
    expect(recoverable).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('starts signed out from the first byte with null, without a loading state', async () => {
    setup({ refreshTokenFrom: 'cookie' });
    const { serverSeen, clientSeen, recoverable } = await serverThenClient(null);
    expect(serverSeen).toEqual(['unauthenticated']);
    expect(clientSeen).not.toContain('loading');
    expect(recoverable).toEqual([]);
  });

  it('gets its first access token through one cookie refresh', async () => {
    const { control, clock } = setup({ refreshTokenFrom: 'cookie' });
    const issued = await control.issueSession('emilys');
    const cookie = `refreshToken=${issued.refreshToken}`;
    const client = createAuthClient({
      baseUrl: BASE_URL,
      clock,
      refreshTokenIn: 'cookie',
      crossTab: false,
      initialSession: { user: USER },
      // The browser's cookie jar, as the server's Set-Cookie left it for this origin.
      fetch: (input, init) => {
        const request = new Request(input, init);
        request.headers.set('Cookie', cookie);
        return fetch(request);
      },
    });
    const token = await client.getAccessToken();
    expect(token).toMatch(/^eyJ/);
    expect(control.counts().refresh).toBe(1);
    expect(client.getSnapshot()).toMatchObject({ status: 'authenticated', user: USER, accessToken: token });
    client.destroy();
  });
});
