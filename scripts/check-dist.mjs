// Checks the built package the way its users meet it, in plain Node (no DOM, no loader):
//   1. every entry loads with ESM `import` and CJS `require`, and both give the same exports;
//   2. the React entry starts with the 'use client' directive, the framework-free core does not;
//   3. `sideEffects: false` holds: loading an entry touches no browser or timer global and
//      adds no global (watched in a child process), and a bundler drops an unused import;
//   4. each entry imports only what its platform has: `testing` (loaded by stories in the
//      browser) reaches no `node:` module, `testing/server` (plain Node) reaches no msw.
// Run after `tsup`. Prints one line per check; exits 1 if any fails.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
const ENTRIES = ['index', 'core', 'testing', 'testing/server'];
const file = (entry, format) => join(dist, `${entry}.${format === 'esm' ? 'js' : 'cjs'}`);

// Globals whose use at import time would be a side effect, or would break SSR and Node.
const WATCHED_GLOBALS = [
  'window', 'self', 'document', 'navigator', 'location', 'history', 'localStorage', 'sessionStorage',
  'indexedDB', 'BroadcastChannel', 'MessageChannel', 'addEventListener', 'removeEventListener',
  'dispatchEvent', 'fetch', 'XMLHttpRequest', 'WebSocket', 'setTimeout', 'setInterval', 'setImmediate',
  'queueMicrotask', 'requestAnimationFrame', 'console', 'process',
];

if (process.argv[2] === '--probe') {
  await probe(process.argv[3], JSON.parse(process.argv[4]));
} else {
  await main();
}

/** In a fresh process: load the other packages, then watch the globals while authloop's entries load. */
async function probe(format, externals) {
  const load = (id) => (format === 'esm' ? import(id) : require(id));
  // Other packages' import-time work is theirs: load them before watching.
  for (const id of externals) await load(id);
  const before = new Set(Reflect.ownKeys(globalThis));
  const touched = new Set();
  for (const name of WATCHED_GLOBALS) {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
    let value = descriptor && ('value' in descriptor ? descriptor.value : descriptor.get?.call(globalThis));
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.add(name);
        return value;
      },
      set(next) {
        touched.add(name);
        value = next;
      },
    });
  }
  for (const entry of ENTRIES) {
    const path = file(entry, format);
    await load(format === 'esm' ? pathToFileURL(path).href : path);
  }
  const added = Reflect.ownKeys(globalThis)
    .filter((key) => !before.has(key) && !WATCHED_GLOBALS.includes(key))
    .map(String);
  process.stdout.write(JSON.stringify({ touched: [...touched], added }));
}

async function main() {
  const results = [];
  const check = (name, ok, detail = '') => results.push({ name, ok, detail });

  check('plain Node: no DOM globals', typeof window === 'undefined' && typeof document === 'undefined');

  // 1. Both formats load and agree.
  for (const entry of ENTRIES) {
    const esm = await import(pathToFileURL(file(entry, 'esm')).href);
    const cjs = require(file(entry, 'cjs'));
    const esmNames = Object.keys(esm).sort();
    const cjsNames = Object.keys(cjs).filter((name) => name !== '__esModule').sort();
    check(`${entry}: ESM import gives ${esmNames.length} exports`, esmNames.length > 0);
    const missing = esmNames.filter((n) => !cjsNames.includes(n));
    const extra = cjsNames.filter((n) => !esmNames.includes(n));
    check(`${entry}: CJS require gives the same exports`, missing.length + extra.length === 0, diff(missing, extra));
  }
  const core = await import(pathToFileURL(file('core', 'esm')).href);
  check('core: framework-free (no hooks, no AuthProvider)', !('useSession' in core) && !('AuthProvider' in core));

  // 2. Directives.
  const firstLine = (path) => readFileSync(path, 'utf8').split('\n', 1)[0].trim();
  const isUseClient = (line) => /^["']use client["'];?$/.test(line);
  for (const format of ['esm', 'cjs']) {
    check(`index (${format}): first line is 'use client'`, isUseClient(firstLine(file('index', format))));
    check(`core (${format}): no 'use client'`, !isUseClient(firstLine(file('core', format))));
  }

  // 3a. No import-time side effects, watched at run time.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  check('package.json: "sideEffects": false', pkg.sideEffects === false);
  for (const format of ['esm', 'cjs']) {
    const externals = await externalImports(format);
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--probe', format, JSON.stringify(externals)], {
      encoding: 'utf8',
    });
    if (child.status !== 0) {
      check(`${format}: loading the entries touches no global`, false, child.stderr.trim());
      continue;
    }
    const { touched, added } = JSON.parse(child.stdout);
    check(`${format}: loading the entries touches no watched global`, touched.length === 0, touched.join(', '));
    check(`${format}: loading the entries adds no global`, added.length === 0, added.join(', '));
  }

  // 3b. A bundler that honours "sideEffects" drops an import whose exports are unused.
  const unused = await build({
    stdin: { contents: ENTRIES.map((entry) => `import './dist/${entry}.js';`).join('\n'), resolveDir: root },
    bundle: true,
    write: false,
    format: 'esm',
    logLevel: 'silent',
    // The Node-only entry imports node:http; a bundler for Node resolves it, and drops it too.
    external: [...externalPatterns(pkg), 'node:*'],
  });
  const leftover = unused.outputFiles[0].text.trim();
  check("bundler: `import 'authloop'` (every entry, nothing used) bundles to nothing", leftover === '', leftover.slice(0, 200));

  // 4. Import boundaries, read from what each built entry imports, its chunks included.
  const imports = async (entry) => (await externalImports('esm', [entry])).filter((id) => !id.startsWith('.'));
  const browserUnsafe = (await imports('testing')).filter((id) => id.startsWith('node:'));
  check('testing: imports no node: module (browser-safe)', browserUnsafe.length === 0, browserUnsafe.join(', '));
  const mswImports = (await imports('testing/server')).filter((id) => id === 'msw' || id.startsWith('msw/'));
  check('testing/server: imports no msw', mswImports.length === 0, mswImports.join(', '));

  for (const { name, ok, detail } of results) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `: ${detail}` : ''}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed === 0 ? `\ncheck-dist: all ${results.length} checks passed` : `\ncheck-dist: ${failed} of ${results.length} checks failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

function diff(missing, extra) {
  return [missing.length ? `only in ESM: ${missing.join(', ')}` : '', extra.length ? `only in CJS: ${extra.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
}

function externalPatterns(pkg) {
  return [...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.dependencies ?? {})].flatMap((name) => [name, `${name}/*`]);
}

/** The other packages the built entries (default: all) import, as written in the built files. */
async function externalImports(format, entries = ENTRIES) {
  const result = await build({
    entryPoints: entries.map((entry) => file(entry, format)),
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    packages: 'external',
    format,
    outdir: join(dist, '.probe'),
    logLevel: 'silent',
  });
  const ids = new Set();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) if (imported.external) ids.add(imported.path);
  }
  return [...ids].sort();
}
