import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

/** A file served from memory: its body, or its body and content type. */
export type StaticFile = string | Uint8Array | { body: string | Uint8Array; contentType?: string };

/** A file found for a request path. */
export interface FoundFile {
  body: string | Uint8Array<ArrayBuffer>;
  contentType: string;
}

// Enough types for a test page, its bundled script and its source map.
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

// What a file of any other extension is sent as.
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

// The file a path ending in `/` stands for.
const INDEX_FILE = 'index.html';

const contentTypeOf = (path: string): string => CONTENT_TYPES[extname(path).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;

// A copy on its own ArrayBuffer: a Buffer may be a view into Node's shared pool.
const ownBytes = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

function decodePath(pathname: string): string | null {
  try {
    const path = decodeURIComponent(pathname);
    return path.includes('\0') ? null : path;
  } catch {
    return null;
  }
}

/** Settings of {@link createStaticFiles}. */
export interface StaticFilesOptions {
  /** Directory whose files are served; nothing outside it is ever read. */
  dir?: string;
  /** Files by request path (`'/index.html'`), served before `dir` is looked in. */
  files?: Readonly<Record<string, StaticFile>>;
}

/**
 * Creates a lookup from request path to file: first the in-memory `files`, then `dir`.
 * A path ending in `/` means its `index.html`. Paths that leave `dir` find nothing.
 *
 * @example
 * const find = createStaticFiles({ dir: 'test/e2e/page', files: { '/app.js': bundle } });
 * const file = await find('/');
 */
export function createStaticFiles({ dir, files = {} }: StaticFilesOptions): (pathname: string) => Promise<FoundFile | null> {
  const root = dir === undefined ? undefined : resolve(dir);
  return async (pathname) => {
    const decoded = decodePath(pathname);
    if (decoded === null) return null;
    const path = decoded.endsWith('/') ? decoded + INDEX_FILE : decoded;
    const key = [decoded, path].find((candidate) => Object.hasOwn(files, candidate));
    const inMemory = key === undefined ? undefined : files[key];
    if (inMemory !== undefined) {
      const { body, contentType = contentTypeOf(path) } =
        typeof inMemory === 'string' || inMemory instanceof Uint8Array ? { body: inMemory } : inMemory;
      return { body: typeof body === 'string' ? body : ownBytes(body), contentType };
    }
    if (root === undefined) return null;
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root + sep)) return null;
    try {
      return { body: ownBytes(await readFile(file)), contentType: contentTypeOf(file) };
    } catch {
      // Missing, a directory, or unreadable: not a file this server serves.
      return null;
    }
  };
}
