// `npm run size:why`: where the bytes of the React entry come from. Bundles src/index.ts the
// way `npm run bench` bundles the built entry (esbuild, minified), once with every peer and
// jwt-decode external and once as an app ships it (zod and jwt-decode inside), and prints
// each module's share of the minified output. The gzip figure is for the whole bundle only:
// gzip does not split by module, so a module's share of it is roughly its share of the bytes.
import { build, type Metafile } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  peerDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
};
const peersExternal = [...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.dependencies ?? {})].flatMap((name) => [
  name,
  `${name}/*`,
]);
const appExternal = ['react', 'react/*', 'react-dom', '@tanstack/*'];

/** A module's name in the table: a package for dependencies, a path for our own files. */
function owner(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? `(${match[1]})` : relative(root, join(root, input));
}

async function breakdown(title: string, external: string[]) {
  const result = await build({
    entryPoints: [join(root, 'src/index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    write: false,
    metafile: true,
    external,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const output = Object.values((result.metafile as Metafile).outputs)[0]!;
  const byOwner = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);
  }
  const rows = [...byOwner].filter(([, size]) => size > 0).sort((a, b) => b[1] - a[1]);
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\n${title}: ${code.length.toLocaleString('en-US')} B minified, ${gzipSync(code, { level: 9 }).length.toLocaleString('en-US')} B min+gzip`);
  for (const [name, size] of rows) {
    const share = ((size / code.length) * 100).toFixed(1).padStart(5);
    console.log(`  ${name.padEnd(width)}  ${size.toLocaleString('en-US').padStart(7)} B  ${share} %`);
  }
}

await breakdown('authloop, peers and jwt-decode external', peersExternal);
await breakdown('authloop as an app ships it (zod and jwt-decode inside)', appExternal);
