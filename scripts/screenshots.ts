/**
 * PNG screenshots of every story, taken in Debian's Chromium after the story's play
 * function has finished, into docs/screenshots/<story-id>.png.
 *
 *   npm run screenshots               # builds storybook-static first
 *   npm run screenshots -- --no-build # reuses the storybook-static already there
 *   npm run screenshots -- --only token-lifecycle  # only the stories whose id contains it
 *
 * The static build is served from 127.0.0.1 by a small server this script starts and
 * stops. Each story gets a fresh browser profile, so no story sees another's storage or
 * service-worker state.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS as SHARED_CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

const ROOT = resolve(import.meta.dirname, '..');
const STATIC_DIR = join(ROOT, 'storybook-static');
const OUT_DIR = join(ROOT, 'docs', 'screenshots');
const CHROMIUM = CHROMIUM_PATH;
const CHROMIUM_ARGS = [...SHARED_CHROMIUM_ARGS, '--headless'];
// 800 CSS pixels at 1x keeps each PNG small enough to commit, and wide enough for two columns.
const VIEWPORT = { width: 800, height: 600 };
// Stories about a phone's screen are taken at its width (CSS pixels), as their tests run.
const STORY_VIEWPORTS: Record<string, { width: number; height: number }> = {
  'token-lifecycle--replay-on-a-phone': { width: 390, height: 844 },
};
// A story that does not finish in this time is broken; the script says which and fails.
const STORY_TIMEOUT_MS = 30_000;
// The live lifecycle runs on the real clock: give it time for a refresh and a rotation
// (20-second tokens refresh 10 s in) so the picture shows more than a start.
const EXTRA_WAIT_MS: Record<string, number> = { 'token-lifecycle--live': 12_000 };
// One more clock tick (the demo re-reads its clock every 250 ms) before the picture.
const SETTLE_MS = 400;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

interface IndexEntry {
  id: string;
  type: 'story' | 'docs';
  title: string;
  name: string;
}

function serveStatic(dir: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('Not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

function stories(): IndexEntry[] {
  const index = JSON.parse(readFileSync(join(STATIC_DIR, 'index.json'), 'utf8')) as { entries: Record<string, IndexEntry> };
  return Object.values(index.entries).filter((entry) => entry.type === 'story');
}

async function screenshot(origin: string, story: IndexEntry): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'authloop-shot-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: STORY_VIEWPORTS[story.id] ?? VIEWPORT,
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/iframe.html?id=${encodeURIComponent(story.id)}&viewMode=story`);
    // Storybook's preview reports each render's phase; "finished" comes after play and afterEach.
    await page.waitForFunction(
      () => {
        const preview = (window as unknown as { __STORYBOOK_PREVIEW__?: { currentRender?: { phase?: string } } })
          .__STORYBOOK_PREVIEW__;
        const phase = preview?.currentRender?.phase;
        return phase === 'finished' || phase === 'errored';
      },
      undefined,
      { timeout: STORY_TIMEOUT_MS },
    );
    const failed = await page.evaluate(
      () =>
        (window as unknown as { __STORYBOOK_PREVIEW__: { currentRender: { phase: string } } }).__STORYBOOK_PREVIEW__
          .currentRender.phase === 'errored' || document.body.classList.contains('sb-show-errordisplay'),
    );
    if (failed) throw new Error(`the story errored${errors.length ? `: ${errors.join('; ')}` : ''}`);
    await page.waitForTimeout((EXTRA_WAIT_MS[story.id] ?? 0) + SETTLE_MS);
    const file = join(OUT_DIR, `${story.id}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!process.argv.includes('--no-build') || !existsSync(join(STATIC_DIR, 'index.json'))) {
    execFileSync('npm', ['run', 'build-storybook'], { cwd: ROOT, stdio: 'inherit' });
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const ids = new Set(stories().map((story) => story.id));
  // A story renamed or removed leaves no stale picture behind.
  for (const file of readdirSync(OUT_DIR)) {
    if (file.endsWith('.png') && file.includes('--') && !ids.has(file.slice(0, -'.png'.length))) rmSync(join(OUT_DIR, file));
  }
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const server = await serveStatic(STATIC_DIR);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const failures: string[] = [];
  try {
    for (const story of stories().filter((entry) => only === undefined || entry.id.includes(only))) {
      try {
        const file = await screenshot(origin, story);
        console.log(`✓ ${story.title} / ${story.name} → ${file.slice(ROOT.length + 1)}`);
      } catch (error) {
        failures.push(story.id);
        console.error(`✗ ${story.title} / ${story.name}: ${(error as Error).message}`);
      }
    }
  } finally {
    await new Promise((done) => server.close(done));
  }
  if (failures.length > 0) {
    console.error(`${failures.length} stories failed: ${failures.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
