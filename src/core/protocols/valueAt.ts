import { isRecord } from '../protocol';

/**
 * The value at a dotted path in a JSON answer (`'data.access_token'`); `''` is the whole
 * answer. Own properties only, so `'__proto__'` or `'constructor'` finds nothing.
 */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '') return value;
  let at = value;
  for (const key of path.split('.')) {
    if (!isRecord(at) || !Object.hasOwn(at, key)) return undefined;
    at = at[key];
  }
  return at;
}
