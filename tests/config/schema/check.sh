#!/bin/sh
# Validates converge.yaml documents (a JSON array in $2) against the schema ($1) with
# Ajv (check.mjs), after installing the pinned packages (tests/support/npm_install.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/../../support/npm_install.sh" "$here"
exec node "$here/check.mjs" "$1" "$2"
