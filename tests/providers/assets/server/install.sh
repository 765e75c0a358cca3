#!/bin/sh
# Installs the pinned test REST server (json-server, see package-lock.json) into
# node_modules/ beside this script. Idempotent: does nothing when the installed
# tree already matches the lock file.
set -eu
cd "$(dirname "$0")"
if [ -f node_modules/.package-lock.json ] && [ -f node_modules/json-server/package.json ] &&
   cmp -s package-lock.json node_modules/.converge-installed-lock; then
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund
cp package-lock.json node_modules/.converge-installed-lock
