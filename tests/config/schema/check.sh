#!/bin/sh
# Validates converge.yaml documents (a JSON array in $2) against the schema ($1) with
# Ajv (check.mjs). Installs the pinned packages from package-lock.json first (npm ci,
# only when the lock changed since the last install; the npm registry is the only
# thing contacted; one install at a time).
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.converge-installed
if ! { [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; }; then
  exec 9>"${TMPDIR:-/tmp}/converge-schema-npm.lock"
  flock 9
  if ! { [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; }; then
    npm ci --no-audit --no-fund --loglevel=error >&2
    cp package-lock.json "$stamp"
  fi
  exec 9>&-
fi
exec node check.mjs "$1" "$2"
