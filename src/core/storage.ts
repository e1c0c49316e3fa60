/**
 * Where the session is kept between page loads. Methods may be sync or async; an async
 * `get` makes the first render `loading` while it resolves.
 */
export interface StorageAdapter {
  get(key: string): string | null | Promise<string | null>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** `'memory'` (default): tokens live in this tab's memory only and die with it. */
export type StorageOption = 'memory' | 'localStorage' | 'sessionStorage' | StorageAdapter;

// Looked up on every call, never at import: the page may not have a window yet (SSR), and
// merely reading `window.localStorage` throws in some privacy modes.
function createWebStorage(name: 'localStorage' | 'sessionStorage'): StorageAdapter {
  const area = (): Storage | null => (typeof window === 'undefined' ? null : window[name]);
  return {
    get: (key) => area()?.getItem(key) ?? null,
    set: (key, value) => area()?.setItem(key, value),
    remove: (key) => area()?.removeItem(key),
  };
}

/** The adapter behind an option; `null` for memory, which keeps nothing outside the client. */
export function resolveStorage(option: StorageOption | undefined): StorageAdapter | null {
  if (option === undefined || option === 'memory') return null;
  if (option === 'localStorage' || option === 'sessionStorage') return createWebStorage(option);
  return option;
}
