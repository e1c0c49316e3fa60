// @vitest-environment node
// Hostile review of useSuspenseSession under streaming server rendering (what Next.js' app
// router does for client components): renderToPipeableStream, no window.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Suspense } from 'react';
import { renderToPipeableStream } from 'react-dom/server';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AuthProvider, useSuspenseSession } from '../../src';

/** Streams a page; resolves with its HTML once the stream ended, or with what it had when the shell was ready and the render gave up. */
function stream(element: React.ReactNode): Promise<{ html: string; errors: unknown[] }> {
  return new Promise((resolve) => {
    const errors: unknown[] = [];
    let html = '';
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => (html += chunk.toString()));
    sink.on('end', () => resolve({ html, errors }));
    const { pipe } = renderToPipeableStream(element, {
      onAllReady: () => undefined,
      onError: (error) => void errors.push(error),
      onShellReady: () => pipe(sink),
    });
  });
}

describe('review: useSuspenseSession in a streaming server render', () => {
  it('finishes the stream (a fallback, or the page) instead of suspending again and again', async () => {
    let renders = 0;
    function Name() {
      renders += 1;
      // Past this many renders the server is in a loop: break it so the test ends.
      if (renders > 25) throw new Error(`rendered ${renders} times on the server`);
      const session = useSuspenseSession();
      return <p>status:{session.status}</p>;
    }
    const { html, errors } = await stream(
      <QueryClientProvider client={new QueryClient()}>
        <AuthProvider baseUrl="https://api.example.test" storage="localStorage">
          <Suspense fallback={<p>restoring</p>}>
            <Name />
          </Suspense>
        </AuthProvider>
      </QueryClientProvider>,
    );
    // One error, the documented way to leave a boundary to the browser; not a loop.
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('browser only') })]);
    expect(renders).toBeLessThanOrEqual(2);
    expect(html).toContain('restoring');
  });

  it('sends no request from the server (a cookie probe belongs to the browser)', async () => {
    const requests: string[] = [];
    const recording: typeof fetch = (input) => {
      requests.push(String(input));
      return Promise.resolve(new Response('{}', { status: 401, headers: { 'Content-Type': 'application/json' } }));
    };
    let renders = 0;
    function Name() {
      renders += 1;
      if (renders > 25) throw new Error('loop');
      const session = useSuspenseSession();
      return <p>status:{session.status}</p>;
    }
    await stream(
      <QueryClientProvider client={new QueryClient()}>
        <AuthProvider baseUrl="https://api.example.test" refreshTokenIn="cookie" fetch={recording}>
          <Suspense fallback={<p>restoring</p>}>
            <Name />
          </Suspense>
        </AuthProvider>
      </QueryClientProvider>,
    );
    expect(requests).toEqual([]);
  });
});
