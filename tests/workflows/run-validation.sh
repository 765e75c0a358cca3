#!/usr/bin/env bash
# ctest workflows.parse_and_lint: installs the pinned validators (install.sh: npm ci
# of package-lock.json, only when the lock changed since the last install) and runs
# validate.mjs on the repository (or on the one given as $1: the init tests validate
# the starters `converge init` writes).
# Exit 77 (ctest: skipped) when node or npm is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node and npm are needed to validate the workflows (apt-get install nodejs npm)"
  exit 77
fi
"$here/install.sh"
# Node < 20.6 has no module.register(): give the JSON hook on the command line.
loader=()
node -e 'process.exit(typeof require("node:module").register === "function" ? 0 : 1)' ||
  loader=(--no-warnings --experimental-loader ./json-hooks.mjs)
exec node "${loader[@]}" validate.mjs "${1:-$root}"
