// Keeps the API reference honest: lists every export of the four public entries (read with
// the TypeScript compiler, so `export *` and type-only exports count) and fails when one
//   - is not mentioned in README.md inside an inline code span (`useSession`, `useSession()`,
//     `<AuthProvider>` and `authKeys.me()` all mention their name; fenced examples do not), or
//   - has no TSDoc comment (`/** ... */`) on its declaration, or
//   - is a hook (`use*`) whose TSDoc has no `@example`.
// Usage: npx tsx scripts/check-api.ts
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = [
  { name: 'authloop', file: 'src/index.ts' },
  { name: 'authloop/core', file: 'src/core/index.ts' },
  { name: 'authloop/testing', file: 'src/testing/index.ts' },
  { name: 'authloop/testing/server', file: 'src/testing/server.ts' },
];

interface ExportInfo {
  name: string;
  entries: string[];
  declaredIn: string;
  hasDoc: boolean;
  hasExample: boolean;
}

function readCompilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config, ts.sys, root).options;
}

/**
 * The exports of each entry, with where each is declared and its TSDoc. Keyed by name and
 * declaration: two entries may export different things under one name.
 */
function collectExports(): Map<string, ExportInfo> {
  const program = ts.createProgram(
    ENTRIES.map((entry) => join(root, entry.file)),
    readCompilerOptions(),
  );
  const checker = program.getTypeChecker();
  const exports = new Map<string, ExportInfo>();
  for (const entry of ENTRIES) {
    const source = program.getSourceFile(join(root, entry.file));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`cannot read the exports of ${entry.file}`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const name = exported.getName();
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = target.getDeclarations() ?? [];
      const first = declarations[0];
      const declaredIn = first ? relative(root, first.getSourceFile().fileName) : '?';
      const known = exports.get(`${name} ${declaredIn}`);
      if (known) {
        known.entries.push(entry.name);
        continue;
      }
      const docs = declarations.flatMap((declaration) => ts.getJSDocCommentsAndTags(declaration));
      const hasExample = declarations.some((declaration) =>
        ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === 'example'),
      );
      exports.set(`${name} ${declaredIn}`, {
        name,
        entries: [entry.name],
        declaredIn,
        hasDoc: docs.length > 0,
        hasExample,
      });
    }
  }
  return exports;
}

/** Every identifier that appears inside an inline code span of the README, outside fenced blocks. */
function namesInCodeSpans(markdown: string): Set<string> {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  const names = new Set<string>();
  for (const span of prose.matchAll(/(`+)([^`]+?)\1(?!`)/g)) {
    for (const identifier of span[2]!.matchAll(/[A-Za-z_$][\w$]*/g)) names.add(identifier[0]);
  }
  return names;
}

const exports = [...collectExports().values()].sort((a, b) => a.name.localeCompare(b.name) || a.declaredIn.localeCompare(b.declaredIn));
const mentioned = namesInCodeSpans(readFileSync(join(root, 'README.md'), 'utf8'));

const notInReadme = exports.filter((e) => !mentioned.has(e.name));
const sameName = exports.filter((e) => exports.some((other) => other !== e && other.name === e.name));
const noDoc = exports.filter((e) => !e.hasDoc);
const hookWithoutExample = exports.filter((e) => /^use[A-Z]/.test(e.name) && !e.hasExample);

const width = Math.max(...exports.map((e) => e.name.length));
console.log(`${exports.length} public exports (README = named in a code span, TSDoc = doc comment on the declaration)\n`);
for (const e of exports) {
  const problems = [
    mentioned.has(e.name) ? '' : 'not in README',
    e.hasDoc ? '' : 'no TSDoc',
    /^use[A-Z]/.test(e.name) && !e.hasExample ? 'hook without @example' : '',
  ].filter(Boolean);
  console.log(`${problems.length ? 'FAIL' : 'ok  '} ${e.name.padEnd(width)}  ${e.entries.join(', ')}  (${e.declaredIn})${problems.length ? `: ${problems.join(', ')}` : ''}`);
}

const report = (title: string, list: ExportInfo[]) => {
  if (list.length) console.log(`\n${title} (${list.length}): ${list.map((e) => e.name).join(', ')}`);
};
report('Missing from README.md', notInReadme);
report('Missing a TSDoc comment', noDoc);
report('Hooks missing an @example', hookWithoutExample);
if (sameName.length) {
  // Not a failure, but worth a look: one name, two meanings depending on the entry.
  console.log(`\nNote: one name, different declarations: ${sameName.map((e) => `${e.name} (${e.declaredIn})`).join(', ')}`);
}

const failed = notInReadme.length + noDoc.length + hookWithoutExample.length > 0;
console.log(failed ? '\ncheck-api: failed' : `\ncheck-api: all ${exports.length} exports documented`);
process.exitCode = failed ? 1 : 0;
