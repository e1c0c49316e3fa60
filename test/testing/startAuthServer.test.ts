// @vitest-environment node
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestClock } from '../../src/testing/createTestClock';
import { startAuthServer, type AuthServer, type AuthServerOptions } from '../../src/testing/startAuthServer';
import { observedClock, postJson } from './targets';

const EMILY = { username: 'emilys', password: 'emilyspass' };
const PAGE = '<!doctype html><script src="/app.js"></script>';
const SCRIPT = 'console.log("tab")';

const running: AuthServer[] = [];
async function start(options: AuthServerOptions = {}): Promise<AuthServer> {
  const server = await startAuthServer({ clock: createTestClock(), ...options });
  running.push(server);
  return server;
}

let staticDir: string;
let server: AuthServer;
beforeAll(async () => {
  // A page directory beside a file that must stay out of reach.
  const root = mkdtempSync(join(tmpdir(), 'authloop-static-'));
  staticDir = join(root, 'page');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), PAGE);
  writeFileSync(join(staticDir, 'bundle.js'), SCRIPT);
  writeFileSync(join(staticDir, 'app.js'), 'the file on disk');
  server = await start({ staticDir, static: { '/app.js': SCRIPT, '/data.bin': { body: new Uint8Array([1, 2, 3]), contentType: 'application/x-test' } } });
});
afterAll(async () => {
  await Promise.all(running.map((each) => each.close()));
  rmSync(join(staticDir, '..'), { recursive: true, force: true });
});

describe('listening', () => {
  it('binds to 127.0.0.1 on a port the system picked', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(server.urls.login).toBe(`${server.url}/auth/login`);
  });

  it('serves custom paths', async () => {
    const custom = await start({ paths: { login: '/v2/session' } });
    expect((await postJson(`${custom.url}/v2/session`, EMILY)).status).toBe(200);
  });

  it('close() ends a connection whose answer is still held by a delay', async () => {
    const { clock, nextTimer } = observedClock();
    const held = await start({ clock });
    held.control.setResponseDelay('login', 60_000);
    const delayStarted = nextTimer();
    const pending = postJson(held.urls.login, EMILY);
    await delayStarted;
    await held.close();
    await expect(pending).rejects.toThrow(TypeError);
  });
});

describe('routing', () => {
  it('answers an unknown path with 404 and the error envelope', async () => {
    const response = await fetch(`${server.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not found', code: 'auth/not_found' });
  });

  it('answers a wrong method on an endpoint with 405 and Allow', async () => {
    const response = await fetch(server.urls.login);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('serves no admin routes with adminRoutes: false', async () => {
    const plain = await start({ adminRoutes: false });
    expect((await fetch(`${plain.url}/__admin/counts`)).status).toBe(404);
  });
});

describe('static files', () => {
  it('serves an in-memory file before a file of staticDir, with a type from the extension', async () => {
    const response = await fetch(`${server.url}/app.js`);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe(SCRIPT);
  });

  it('serves bytes with the content type given', async () => {
    const response = await fetch(`${server.url}/data.bin`);
    expect(response.headers.get('content-type')).toBe('application/x-test');
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it("serves staticDir's index.html for /", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe(PAGE);
  });

  it('serves other files of staticDir', async () => {
    expect(await (await fetch(`${server.url}/bundle.js`)).text()).toBe(SCRIPT);
  });

  it('reads nothing outside staticDir', async () => {
    expect((await fetch(`${server.url}/..%2fsecret.txt`)).status).toBe(404);
  });
});

describe("a test's own responses", () => {
  it('reach the client with their status, body and every Set-Cookie', async () => {
    const custom = await start();
    custom.control.respondNext('me', 1, () => {
      const headers = new Headers({ 'Content-Type': 'text/html' });
      headers.append('Set-Cookie', 'a=1');
      headers.append('Set-Cookie', 'b=2');
      return new Response('<h1>502</h1>', { status: 502, headers });
    });
    const response = await fetch(custom.urls.me);
    expect([response.status, await response.text()]).toEqual([502, '<h1>502</h1>']);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it('a resolver that throws is a 500 in the error envelope', async () => {
    const custom = await start();
    custom.control.respondNext('me', 1, () => {
      throw new Error('broken resolver');
    });
    const response = await fetch(custom.urls.me);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: 'auth/internal' });
  });
});

describe('entry', () => {
  it('authloop/testing/server loads without msw', async () => {
    vi.resetModules();
    vi.doMock('msw', () => {
      throw new Error('msw was imported');
    });
    const module = await import('../../src/testing/server');
    expect(typeof module.startAuthServer).toBe('function');
    vi.doUnmock('msw');
  });
});
