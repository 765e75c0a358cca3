#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the contract test's npm packages (GitHub's OpenAPI description and the
# Prism mock server) into this folder from package-lock.json. Idempotent: does
# nothing when node_modules already matches the lock file.
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.converge-installed
if [ -f "$stamp" ] && [ -x node_modules/.bin/prism ] \
   && [ -f node_modules/@octokit/openapi/generated/api.github.com.json ] \
   && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
# One install at a time (parallel ctest runs share this folder).
exec 9>"${TMPDIR:-/tmp}/converge-contract-npm.lock"
flock 9
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then exit 0; fi
npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$stamp"
