// @vitest-environment node
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// `interface Register` is global to a program, so the checks of an app that registered its
// client are a program of their own (test/registered). Compiling it here makes them part of
// the unit run: a type expectation that fails, or an @ts-expect-error with nothing to expect,
// is a diagnostic.
const CONFIG = fileURLToPath(new URL('./registered/tsconfig.json', import.meta.url));
const CHECKS = fileURLToPath(new URL('./registered/registeredClient.check.tsx', import.meta.url));
// Type-checking src and its React and zod types takes a few seconds on a shared machine.
const COMPILE_TIMEOUT_MS = 120_000;

function diagnostics(): string[] {
  const { config, error } = ts.readConfigFile(CONFIG, ts.sys.readFile);
  if (error) return [ts.flattenDiagnosticMessageText(error.messageText, '\n')];
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(CONFIG));
  // A program without the checks would compile clean and prove nothing.
  if (!parsed.fileNames.includes(CHECKS)) return [`${CHECKS} is not in the program of ${CONFIG}`];
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    const at = d.file && where ? `${d.file.fileName}:${where.line + 1}: ` : '';
    return at + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

describe('with a registered client', () => {
  it(
    'types every hook by its user and makes <AuthProvider> require that client (test/registered compiles clean)',
    () => {
      expect(diagnostics()).toEqual([]);
    },
    COMPILE_TIMEOUT_MS,
  );
});
