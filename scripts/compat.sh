#!/usr/bin/env bash
# The peer ranges claim React 18 and zod 3.25: run the typecheck and the unit tests against
# each, in a copy of the repository, without touching this checkout or package-lock.json.
#   npm run test:compat            both
#   scripts/compat.sh react18      one (react18 | zod325)
set -euo pipefail
cd "$(dirname "$0")/.."

# The oldest of each that authloop supports. zod 3.25.30 is the first 3.25 release that
# exports `zod/v4/mini`, which src/core/schemas.ts imports: 3.25.0 to 3.25.29 fail to load
# authloop (ERR_PACKAGE_PATH_NOT_EXPORTED), so the peer range should start at 3.25.30.
REACT18=(react@18.3.1 react-dom@18.3.1 @types/react@18.3.32 @types/react-dom@18.3.7)
ZOD325=(zod@3.25.30)

# Each copy holds a node_modules of ~360 MB: removed however the script ends.
dirs=()
trap 'rm -rf "${dirs[@]}"' EXIT

run_with() {
  local name=$1
  shift
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/authloop-compat-$name.XXXXXX")
  dirs+=("$dir")
  echo "== $name: $* (in $dir)"
  # The repository's files as they are in the working tree (tracked, and new files not
  # ignored), and a copy of the installed node_modules for npm to change only what differs.
  git ls-files -z --cached --others --exclude-standard |
    tar --null --files-from=- --ignore-failed-read --create --file=- |
    tar --extract --file=- --directory="$dir"
  cp -a node_modules "$dir/"
  (
    cd "$dir"
    npm install --no-save --no-audit --no-fund --prefer-offline --loglevel=error "$@"
    node -e 'for (const p of process.argv.slice(1)) console.log(`   ${p} ${require(`${p}/package.json`).version}`)' react react-dom zod
    npm run --silent typecheck
    npm run --silent test:unit
  )
  echo "== $name: passed"
}

targets=("${@:-react18 zod325}")
for target in ${targets[*]}; do
  case $target in
    react18) run_with react18 "${REACT18[@]}" ;;
    zod325) run_with zod325 "${ZOD325[@]}" ;;
    *) echo "unknown target: $target (react18 | zod325)" >&2; exit 2 ;;
  esac
done
