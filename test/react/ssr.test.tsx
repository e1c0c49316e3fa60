// @vitest-environment node
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AuthProvider, RequireAuth, useSession } from '../../src';

function Status() {
  return <p>status:{useSession().status}</p>;
}

function page(storage: 'memory' | 'localStorage') {
  return renderToString(
    <QueryClientProvider client={new QueryClient()}>
      <AuthProvider baseUrl="https://api.example.test" storage={storage}>
        <Status />
        <RequireAuth fallback={<p>sign in</p>} loading={<p>restoring</p>}>
          <p>secret</p>
        </RequireAuth>
      </AuthProvider>
    </QueryClientProvider>,
  );
}

describe('server rendering without window', () => {
  it('has no window in this environment', () => {
    expect(typeof window).toBe('undefined');
  });

  it('renders unauthenticated with memory storage', () => {
    expect(page('memory')).toContain('status:<!-- -->unauthenticated');
    expect(page('memory')).toContain('sign in');
  });

  it('renders loading with persistent storage', () => {
    const html = page('localStorage');
    expect(html).toContain('status:<!-- -->loading');
    expect(html).toContain('restoring');
    expect(html).not.toContain('secret');
  });

  it('throws a message naming the fix when there is no QueryClient', () => {
    expect(() => renderToString(<AuthProvider />)).toThrow(/QueryClientProvider/);
  });
});
