import { afterEach, beforeEach, expect } from 'vitest';

// Every unit test runs with the console watched: whatever the package (or React, or msw)
// prints during the test must not contain anything shaped like a JWT. Output still reaches
// the terminal; this only reads it.
const JWT_SHAPE = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}/;
const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const printed: string[] = [];
const originals = new Map<(typeof METHODS)[number], (...args: unknown[]) => void>();

beforeEach(() => {
  printed.length = 0;
  for (const method of METHODS) {
    const original = console[method].bind(console);
    originals.set(method, original);
    console[method] = (...args: unknown[]) => {
      printed.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack ?? ''}` : String(arg))).join(' '));
      original(...args);
    };
  }
});

afterEach(() => {
  for (const [method, original] of originals) console[method] = original;
  const leaked = printed.filter((line) => JWT_SHAPE.test(line));
  expect(leaked, 'a token-shaped string was printed to the console').toEqual([]);
});
