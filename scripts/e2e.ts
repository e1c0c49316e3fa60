/**
 * Many real tabs sharing one authloop session, end to end, in Debian's Chromium: see
 * test/e2e/runner.ts for what one config does and checks.
 *
 *   npm run test:e2e                       # 2, 3, 4 tabs x Web Locks / none x memory / localStorage
 *   npm run test:e2e -- --tabs=2 --locks=no --storage=memory --soak=10 --min-cycles=0
 *   npm run test:e2e -- --verbose          # every check's detail, passed ones too
 *
 * Options: --tabs=2,3,4  --locks=yes,no  --storage=memory,localStorage  --soak=<seconds
 * per config, default 24>  --concurrency=<configs at once, default all>  --min-cycles=<the
 * run fails with fewer token deadlines in all, default 100>.
 *
 * Every config has its own reference server (so its own origin) and they share one
 * persistent browser context, several at a time. Exits 1 when any check fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import {
  bindEvents,
  buildPageFiles,
  HOST_RESOLVER_ARG,
  labelOf,
  runConfig,
  startSleepServer,
  type ConfigResult,
  type ConfigSpec,
  type StorageKind,
  type Tab,
} from '../test/e2e/runner';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}
const list = (name: string, fallback: string) => (option(name) ?? fallback).split(',').map((item) => item.trim()).filter(Boolean);

const tabCounts = list('tabs', '2,3,4').map(Number);
const locks = list('locks', 'yes,no').map((value) => value === 'yes' || value === 'lock');
const storages = list('storage', 'memory,localStorage') as StorageKind[];
const soakMs = Number(option('soak') ?? 24) * 1000;
const minCycles = Number(option('min-cycles') ?? 100);
const verbose = process.argv.includes('--verbose');
if (tabCounts.some((n) => !Number.isInteger(n) || n < 2) || storages.some((s) => s !== 'memory' && s !== 'localStorage') || !(soakMs > 0)) {
  console.error('usage: tsx scripts/e2e.ts [--tabs=2,3,4] [--locks=yes,no] [--storage=memory,localStorage] [--soak=24] [--concurrency=N] [--min-cycles=100] [--verbose]');
  process.exit(2);
}
const specs: ConfigSpec[] = tabCounts.flatMap((tabs) => locks.flatMap((lock) => storages.map((storage) => ({ tabs, lock, storage }))));
const concurrency = Math.max(1, Number(option('concurrency') ?? specs.length));

const started = Date.now();
const files = await buildPageFiles();
const sleeper = await startSleepServer();
const profile = mkdtempSync(join(tmpdir(), 'authloop-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [...CHROMIUM_ARGS, '--headless', HOST_RESOLVER_ARG],
});
const registry = new Map<Page, Tab>();
await bindEvents(context, registry);
console.log(`authloop e2e: ${specs.length} configs, ${concurrency} at a time, ${soakMs / 1000} s soak each, Chromium ${context.browser()?.version() ?? '(persistent context)'}`);

const results: ConfigResult[] = [];
try {
  const queue = [...specs];
  const shared = { context, files, sleepPort: sleeper.port, soakMs, registry, log: (line: string) => console.log(line) };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, specs.length) }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) {
        const result = await runConfig(spec, shared);
        const failed = result.checks.filter((check) => !check.ok).length;
        console.log(`[${labelOf(spec)}] done in ${(result.wallMs / 1000).toFixed(1)} s: ${failed === 0 ? 'all checks pass' : `${failed} check(s) FAIL`}`);
        results.push(result);
      }
    }),
  );
} finally {
  await context.close();
  await sleeper.close();
  rmSync(profile, { recursive: true, force: true });
}
const wallMs = Date.now() - started;

// The table, in the order of the specs.
results.sort((a, b) => specs.indexOf(a.spec) - specs.indexOf(b.spec));
const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const header = ['tabs', 'locks', 'storage', 'origin', 'secure', 'navigator.locks', 'cycles', 'refresh req', 'req/cycle', 'spent sent', 'expired sent', 'tabs signed out', 'checks failed', 'wall s'];
const rows = results.map((result) => [
  String(result.spec.tabs),
  result.spec.lock ? 'yes' : 'no',
  result.spec.storage,
  result.origin.replace(/:\d+$/, ':port'),
  result.env ? String(result.env.isSecureContext) : '?',
  result.env ? (result.env.hasWebLocks ? 'present' : 'undefined') : '?',
  String(result.cycles),
  `${result.refreshRequests}${result.injected ? ` (${result.injected} dropped)` : ''}`,
  fixed(result.perCycle, 2),
  String(result.spentSent),
  String(result.expiredSent),
  String(result.tabsSignedOut),
  `${result.checks.filter((check) => !check.ok).length}/${result.checks.length}`,
  fixed(result.wallMs / 1000, 1),
]);
const totalCycles = results.reduce((sum, result) => sum + result.cycles, 0);
const totalRefreshes = results.reduce((sum, result) => sum + result.refreshRequests, 0);
rows.push(['all', '', '', '', '', '', String(totalCycles), String(totalRefreshes), fixed((totalRefreshes - results.reduce((s, r) => s + r.injected, 0)) / totalCycles, 2), String(results.reduce((s, r) => s + r.spentSent, 0)), String(results.reduce((s, r) => s + r.expiredSent, 0)), String(results.reduce((s, r) => s + r.tabsSignedOut, 0)), String(results.reduce((s, r) => s + r.checks.filter((c) => !c.ok).length, 0)), fixed(wallMs / 1000, 1)]);
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
console.log('');
console.log(line(header));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
rows.forEach((row, i) => {
  if (i === rows.length - 1) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  console.log(line(row));
});
console.log(`\ncycles = token deadlines (refresh requests grouped by time); total wall time ${(wallMs / 1000).toFixed(1)} s`);

let failures = 0;
for (const result of results) {
  const failed = result.checks.filter((check) => !check.ok);
  failures += failed.length;
  if (failed.length === 0 && !verbose && result.notes.length === 0) continue;
  console.log(`\n[${result.label}] ${result.origin}`);
  for (const check of verbose ? result.checks : failed) console.log(`  ${check.ok ? 'pass' : 'FAIL'}  ${check.name}: ${check.detail}`);
  for (const note of result.notes) console.log(`  note  ${note}`);
}
if (totalCycles < minCycles) {
  failures++;
  console.log(`\nFAIL  ${totalCycles} token deadlines in all, fewer than ${minCycles}: raise --soak`);
}
console.log(failures === 0 ? '\ne2e: every check passes' : `\ne2e: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
