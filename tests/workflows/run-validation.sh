#!/usr/bin/env bash
# ctest workflows.parse_and_lint: installs the pinned validators from
# package-lock.json (npm ci, only when the lock changed since the last install; the
# npm registry is the only thing contacted) and runs validate.mjs on the repository.
# Exit 77 (ctest: skipped) when node or npm is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node and npm are needed to validate the workflows (apt-get install nodejs npm)"
  exit 77
fi
stamp=node_modules/.converge-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
# Node < 20.6 has no module.register(): give the JSON hook on the command line.
loader=()
node -e 'process.exit(typeof require("node:module").register === "function" ? 0 : 1)' ||
  loader=(--no-warnings --experimental-loader ./json-hooks.mjs)
exec node "${loader[@]}" validate.mjs "$root"
