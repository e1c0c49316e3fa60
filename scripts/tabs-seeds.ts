/**
 * Runs the many-tab model test (test/reliability/tabs.test.ts) on many seeds and prints
 * one table: runs, steps and violations per seed, and the sum. `npm test` runs the model on
 * one fixed seed; this is how the claim "no violation on any seed tried" is checked.
 *
 *   npx tsx scripts/tabs-seeds.ts [--from 1] [--count 20] [--jobs 2]
 *
 * Exits 1 if any seed found a violation (its log is kept in the printed path: replay it
 * with the seed and path fast-check printed there, TABS_SHRINK=1 TABS_TRACE=1).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { from: { type: 'string', default: '1' }, count: { type: 'string', default: '20' }, jobs: { type: 'string', default: '2' } } });
const from = Number(values.from);
const count = Number(values.count);
const jobs = Math.max(1, Number(values.jobs));
const logs = mkdtempSync(join(tmpdir(), 'tabs-seeds-'));

interface Result { seed: number; runs: number; steps: number; violations: number; uncaught: number; failed: boolean; log: string }

function runSeed(seed: number): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', 'test/reliability/tabs.test.ts'], { env: { ...process.env, TABS_SEED: String(seed), FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      const log = join(logs, `${seed}.log`);
      writeFileSync(log, output);
      // The model's own table ends with its total row: | total | runs | steps | violations | uncaught |
      const total = /\|\s*total\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|/.exec(output);
      const [runs, steps, violations, uncaught] = total ? total.slice(1).map(Number) : [0, 0, 0, 0];
      resolve({ seed, runs: runs!, steps: steps!, violations: violations!, uncaught: uncaught!, failed: code !== 0 || !total, log });
    });
  });
}

const seeds = Array.from({ length: count }, (_, i) => from + i);
const results: Result[] = [];
let next = 0;
async function worker() {
  while (next < seeds.length) {
    const seed = seeds[next++]!;
    const result = await runSeed(seed);
    results.push(result);
    process.stderr.write(`seed ${seed}: ${result.failed ? `FAILED (${result.log})` : 'ok'}\n`);
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
results.sort((a, b) => a.seed - b.seed);

const header = ['seed', 'runs', 'steps', 'invariant violations', 'uncaught errors', 'result'];
const rows = results.map((r) => [r.seed, r.runs, r.steps, r.violations, r.uncaught, r.failed ? 'FAIL' : 'pass'].map(String));
const sum = (key: 'runs' | 'steps' | 'violations' | 'uncaught') => results.reduce((total, r) => total + r[key], 0);
const failed = results.filter((r) => r.failed).length;
rows.push([`${results.length} seeds`, sum('runs'), sum('steps'), sum('violations'), sum('uncaught'), failed ? `${failed} FAIL` : 'all pass'].map(String));
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
console.log([format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n'));
console.log(`logs: ${logs}`);
process.exitCode = failed ? 1 : 0;
