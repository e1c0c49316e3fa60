// What an app ships of authloop: the README quick start's imports bundled as an app's
// bundler would (esbuild, minified, production, React and React Query external, zod and
// jwt-decode inside), gzipped at level 9 like size-limit. Used by `npm run bench` and by
// `npm run check:size`, so the figure printed and the figure enforced are one.
import { build, type Metafile } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The quick start's imports, exactly as the README's quick start has them. */
export const QUICK_START_IMPORTS = ['AuthProvider', 'useLogin', 'useLogout', 'useSession', 'isInvalidCredentialsError'];

// An app that already validates with zod's classic API: what authloop adds to it is the figure.
const ZOD_CLASSIC_APP = `import * as z from 'zod'; console.log(z.object({ a: z.string().min(1), b: z.number() }).parse({ a: 'x', b: 1 }));`;

const quickStart = (entry: string) => `import { ${QUICK_START_IMPORTS.join(', ')} } from '${entry}'; console.info(${QUICK_START_IMPORTS.join(', ')});`;

export interface Bundle {
  gzip: number;
  minified: number;
  metafile: Metafile;
}

/** Bundles `contents` as an app would ship it. */
export async function bundle(contents: string): Promise<Bundle> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    external: ['react', 'react/*', 'react-dom', 'react-dom/*', '@tanstack/*'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { gzip: gzipSync(code, { level: 9 }).length, minified: code.length, metafile: result.metafile };
}

/** The two figures the size budget is set on, for the built entry (`dist/index.js`) or the sources. */
export async function appSizes(entry = join(root, 'dist/index.js')) {
  const alone = await bundle(quickStart(entry));
  const zodApp = await bundle(ZOD_CLASSIC_APP);
  const withZodApp = await bundle(ZOD_CLASSIC_APP + quickStart(entry));
  return { quickStart: alone.gzip, addedToZodApp: withZodApp.gzip - zodApp.gzip, metafile: alone.metafile, minified: alone.minified };
}
