#!/usr/bin/env bash
# ctest workflows.execution: installs the pinned packages (install.sh) and runs
# execute.mjs, which drives the workflows through the GitFlow story with GitHub's
# parser and expression engine and runs the steps' executables (CONVERGE_BIN_DIR).
# Exit 77 (ctest: skipped) when node or npm is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node and npm are needed to run the workflows (apt-get install nodejs npm)"
  exit 77
fi
for tool in bash jq git; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is needed (the workflows' scripts use it)"; exit 1; }
done
"$here/install.sh"
cd "$here"
# Node < 20.6 has no module.register(): give the JSON hook on the command line.
loader=()
node -e 'process.exit(typeof require("node:module").register === "function" ? 0 : 1)' ||
  loader=(--no-warnings --experimental-loader ./json-hooks.mjs)
exec node "${loader[@]}" execute.mjs "$root"
