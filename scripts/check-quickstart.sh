#!/usr/bin/env bash
# Proves that the README quick start works when pasted into a fresh Vite React TypeScript app:
#   1. builds authloop (tsup, in a copy of the working tree so the repo's dist/ is left alone),
#      packs it, scaffolds `npm create vite@latest -- --template react-ts` and installs
#      react 19, react-dom 19, @tanstack/react-query 5, zod 4 and the packed tarball;
#   2. pastes the ```tsx block under "## Quick start" verbatim as src/App.tsx, then runs the
#      template's typecheck (`tsc -b`) and `vite build`;
#   3. serves the build with `vite preview`, opens it in Chromium (playwright-core from this
#      repo's node_modules) with https://dummyjson.com/** answered like DummyJSON, and checks:
#      the form renders, a wrong password says so, an unreachable server and a 404 show their
#      AuthError messages, emilys/emilyspass signs in, sign out works.
# Run by hand: `bash scripts/check-quickstart.sh`. Needs the npm registry and Chromium.
# Prints one PASS/FAIL line per check; exits 1 if any fails.
# Env: CHROMIUM (default /usr/bin/chromium), QS_SCREENSHOT (default /tmp/authloop-quickstart.png),
#      QS_KEEP=1 keeps the temp dir for inspection, QS_HAND_TEMPLATE=1 skips create-vite and writes
#      the minimal template by hand (the fallback used when create-vite cannot be fetched).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SCREENSHOT=${QS_SCREENSHOT:-/tmp/authloop-quickstart.png}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/qs-XXXXXX")
PREVIEW_PID=
FAILED=0

cleanup() {
  if [[ -n $PREVIEW_PID ]]; then kill "$PREVIEW_PID" 2>/dev/null || true; wait "$PREVIEW_PID" 2>/dev/null || true; fi
  if [[ ${QS_KEEP:-} == 1 ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; FAILED=1; }
# step NAME CMD...: runs CMD with its output in a log; on failure prints the log's tail and stops.
step() {
  local name=$1 log="$TMP/log-${1//[^a-zA-Z0-9]/_}.txt"; shift
  if "$@" >"$log" 2>&1; then pass "$name"; else fail "$name"; tail -n 40 "$log" | sed 's/^/    /'; echo "RESULT: FAIL"; exit 1; fi
}

[[ -x $CHROMIUM ]] || { fail "chromium at $CHROMIUM (apt-get install -y chromium, or set CHROMIUM)"; exit 1; }
[[ -d $ROOT/node_modules/playwright-core ]] || { fail "playwright-core in $ROOT/node_modules (run npm install)"; exit 1; }
echo "temp dir: $TMP"

# 1. Build and pack the package from a copy of the working tree (tsup cleans dist/, which other
#    tools in the repo may be using at the same time).
copy_tree() {
  mkdir -p "$TMP/pkg"
  (cd "$ROOT" && git ls-files -co --exclude-standard -z | grep -zvE '^node_modules(/|$)' \
    | tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$TMP/pkg"
  ln -s "$ROOT/node_modules" "$TMP/pkg/node_modules"
}
step "copy working tree" copy_tree
step "build (tsup)" bash -c "cd '$TMP/pkg' && ./node_modules/.bin/tsup"
step "npm pack" bash -c "cd '$TMP/pkg' && npm pack --pack-destination '$TMP'"
TARBALL=$(ls "$TMP"/authloop-*.tgz)

# Scaffold with create-vite; if it cannot be fetched, write the template's minimal files by hand.
scaffold() (
  set -e
  if [[ ${QS_HAND_TEMPLATE:-} != 1 ]] && (cd "$TMP" && npm create -y vite@latest app -- --template react-ts --no-interactive); then
    echo "scaffolded with create-vite"; return
  fi
  echo "create-vite skipped or unavailable: writing the minimal react-ts template by hand"
  mkdir -p "$TMP/app/src"
  cd "$TMP/app"
  cat >package.json <<'JSON'
{ "name": "app", "private": true, "version": "0.0.0", "type": "module",
  "scripts": { "dev": "vite", "build": "tsc -b && vite build", "preview": "vite preview" } }
JSON
  cat >index.html <<'HTML'
<!doctype html>
<html lang="en"><head><meta charset="UTF-8" /><title>app</title></head>
<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>
HTML
  cat >src/main.tsx <<'TSX'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import App from './App.tsx'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
TSX
  cat >vite.config.ts <<'TS'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({ plugins: [react()] })
TS
  cat >tsconfig.json <<'JSON'
{ "files": [], "references": [{ "path": "./tsconfig.app.json" }, { "path": "./tsconfig.node.json" }] }
JSON
  cat >tsconfig.app.json <<'JSON'
{ "compilerOptions": { "tsBuildInfoFile": "./node_modules/.tmp/tsconfig.app.tsbuildinfo", "target": "es2022",
    "lib": ["ES2022", "DOM", "DOM.Iterable"], "module": "esnext", "types": ["vite/client"], "skipLibCheck": true,
    "moduleResolution": "bundler", "allowImportingTsExtensions": true, "verbatimModuleSyntax": true,
    "moduleDetection": "force", "noEmit": true, "jsx": "react-jsx", "strict": true,
    "noUnusedLocals": true, "noUnusedParameters": true, "noFallthroughCasesInSwitch": true },
  "include": ["src"] }
JSON
  cat >tsconfig.node.json <<'JSON'
{ "compilerOptions": { "tsBuildInfoFile": "./node_modules/.tmp/tsconfig.node.tsbuildinfo", "target": "es2023",
    "lib": ["ES2023"], "module": "esnext", "moduleResolution": "bundler", "types": ["node"], "skipLibCheck": true,
    "allowImportingTsExtensions": true, "verbatimModuleSyntax": true, "moduleDetection": "force", "noEmit": true,
    "strict": true },
  "include": ["vite.config.ts"] }
JSON
  npm install --no-audit --no-fund -D vite @vitejs/plugin-react typescript @types/react @types/react-dom @types/node
)
step "scaffold Vite react-ts app" scaffold
step "install react 19, react-dom 19, @tanstack/react-query 5, zod 4, authloop tarball" \
  bash -c "cd '$TMP/app' && npm install --no-audit --no-fund react@19 react-dom@19 @tanstack/react-query@5 zod@4 '$TARBALL'"
(cd "$TMP/app" && npm ls --depth=0 react react-dom @tanstack/react-query zod authloop typescript vite 2>/dev/null | tail -n +2 | sed '/^$/d; s/^/    /') || true

# 2. The quick start, verbatim, as src/App.tsx.
awk '/^## Quick start/ { q = 1; next } q && /^## / { exit } q && /^```tsx/ { b = 1; next } b && /^```/ { exit } b { print }' \
  "$ROOT/README.md" >"$TMP/app/src/App.tsx"
if [[ -s $TMP/app/src/App.tsx ]]; then pass "quick start block extracted ($(wc -l <"$TMP/app/src/App.tsx") lines)"
else fail "no \`\`\`tsx block under '## Quick start' in README.md"; exit 1; fi
step "typecheck (tsc -b)" bash -c "cd '$TMP/app' && ./node_modules/.bin/tsc -b"
step "vite build" bash -c "cd '$TMP/app' && ./node_modules/.bin/vite build"

# 3. Serve the build and drive it in Chromium.
PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
(cd "$TMP/app" && exec ./node_modules/.bin/vite preview --host 127.0.0.1 --port "$PORT" --strictPort) >"$TMP/preview.log" 2>&1 &
PREVIEW_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.2; done
if curl -sf "http://127.0.0.1:$PORT/" >/dev/null; then pass "vite preview on port $PORT"
else fail "vite preview on port $PORT"; sed 's/^/    /' "$TMP/preview.log"; exit 1; fi

cat >"$TMP/browser.mjs" <<'JS'
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { chromium } = createRequire(join(process.env.ROOT, 'package.json'))('playwright-core');
const [url, shot] = process.argv.slice(2);
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const user = { id: 1, username: 'emilys', email: 'emily.johnson@x.dummyjson.com', firstName: 'Emily', lastName: 'Johnson',
  gender: 'female', image: 'https://dummyjson.com/icon/emilys/128' };
const jwt = () => {
  const iat = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...user, iat, exp: iat + 3600 })}.${Buffer.from('not-a-real-signature').toString('base64url')}`;
};
const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS' };
const json = (route, status, body) => route.fulfill({ status, headers: { ...cors, 'content-type': 'application/json' }, body: JSON.stringify(body) });

// What the next login meets instead of the fake DummyJSON: a dropped connection, or a status.
let nextLogin = null;

let failed = 0;
const report = (name, ok, detail) => { console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`); if (!ok) failed++; };
const step = async (name, fn) => { try { await fn(); report(name, true); } catch (e) { report(name, false, String(e.message).split('\n')[0]); } };

const profile = mkdtempSync(join(process.env.TMP, 'profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--headless'],
});
const errors = [], requests = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs every failed request; the wrong password's 400, the 404 and the dropped
    // connection are the ones this script causes.
    const expected = /Failed to load resource: (.*status of (400|404)|net::ERR_FAILED)/;
    if (m.type() === 'error' && !expected.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  // DummyJSON, as far as the quick start meets it.
  await page.route('https://dummyjson.com/**', async (route) => {
    const request = route.request(), method = request.method(), path = new URL(request.url()).pathname;
    requests.push(`${method} ${path}`);
    if (method === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    if (method === 'POST' && path === '/auth/login' && nextLogin) {
      const failure = nextLogin;
      nextLogin = null;
      if (failure === 'network') return route.abort('failed');
      return json(route, failure, { message: 'Not found' });
    }
    if (method === 'POST' && path === '/auth/login') {
      const { username, password } = request.postDataJSON() ?? {};
      if (username === 'emilys' && password === 'emilyspass') return json(route, 200, { ...user, accessToken: jwt(), refreshToken: jwt() });
      return json(route, 400, { message: 'Invalid credentials' });
    }
    if (method === 'POST' && path === '/auth/refresh') return json(route, 200, { accessToken: jwt(), refreshToken: jwt() });
    if (method === 'GET' && path === '/auth/me') return json(route, 200, user);
    return json(route, 404, { message: `Path '${path}' not found` });
  });

  const wait = { timeout: 10_000 };
  const signIn = () => page.getByRole('button', { name: 'Sign in' });
  await page.goto(url);
  await step('form renders, its inputs labelled and with autocomplete', async () => {
    await page.getByLabel('Username').and(page.locator('input[name=username][autocomplete=username]')).waitFor(wait);
    await page.getByLabel('Password').and(page.locator('input[name=password][autocomplete=current-password]')).waitFor(wait);
    await signIn().waitFor(wait);
  });
  await step('wrong password shows "Wrong username or password."', async () => {
    await page.fill('input[name=password]', 'wrong');
    await signIn().click();
    await page.getByText('Wrong username or password.').waitFor(wait);
  });
  await step('an unreachable server shows the auth/network message', async () => {
    nextLogin = 'network';
    await signIn().click();
    await page.getByRole('alert').filter({ hasText: 'The authentication server could not be reached' }).waitFor(wait);
  });
  await step('a 404 shows the auth/http message with its status', async () => {
    nextLogin = 404;
    await signIn().click();
    await page.getByRole('alert').filter({ hasText: 'The authentication server answered with an error: HTTP 404.' }).waitFor(wait);
  });
  await step('emilys/emilyspass shows "Sign out Emily"', async () => {
    await page.fill('input[name=password]', 'emilyspass');
    await signIn().click();
    await page.getByRole('button', { name: 'Sign out Emily' }).waitFor(wait);
  });
  await page.screenshot({ path: shot });
  await step('sign out shows the form again', async () => {
    await page.getByRole('button', { name: 'Sign out Emily' }).click();
    await signIn().waitFor(wait);
    await page.locator('input[name=username]').waitFor(wait);
  });
  report('no page errors or unexpected console errors', errors.length === 0, errors.join(' | '));
  console.log(`    requests to dummyjson.com: ${requests.join(', ') || 'none'}`);
  console.log(`    screenshot (after signing in): ${shot}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
JS
if ROOT=$ROOT TMP=$TMP CHROMIUM=$CHROMIUM node "$TMP/browser.mjs" "http://127.0.0.1:$PORT/" "$SCREENSHOT"; then :; else FAILED=1; fi

if [[ $FAILED == 0 ]]; then echo "RESULT: PASS"; else echo "RESULT: FAIL"; exit 1; fi
