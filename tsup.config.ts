import { readFile, writeFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

const DIRECTIVE = "'use client';\n";

/** The CJS transform puts helpers above the directive, where it no longer counts: move it to the top. */
async function keepUseClient() {
  for (const file of ['dist/index.js', 'dist/index.cjs']) {
    const code = await readFile(file, 'utf8');
    const body = code.replace(/["']use client["'];?\n?/, '');
    await writeFile(file, DIRECTIVE + body);
  }
}

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    core: 'src/core/index.ts',
    testing: 'src/testing/index.ts',
    // Node only (node:http): an entry of its own, so the browser-safe `testing` never reaches it.
    'testing/server': 'src/testing/server.ts',
  },
  format: ['esm', 'cjs'],
  // One shared chunk, so `authloop` and `authloop/core` use the same engine code.
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // Keep `node:http` as written: tsup strips the prefix by default, and an unprefixed `http`
  // reads as a package name to a bundler or a runtime that is not Node.
  removeNodeProtocol: false,
  external: [/^react($|\/)/, 'react-dom', /^@tanstack\//, /^zod($|\/)/, 'jwt-decode', /^msw($|\/)/],
  onSuccess: keepUseClient,
});
