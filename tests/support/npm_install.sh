#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the pinned npm packages of the folder given as $1 from its
# package-lock.json: npm ci, only when the lock changed since the last install (the npm
# registry is the only thing contacted), one install at a time per folder (tests that
# share the folder may run in parallel). Usage: npm_install.sh DIR [--ignore-scripts]
# (--ignore-scripts: the packages' install scripts do not run, for peers that ship
# their binaries as plain files).
set -eu
cd "$1"
scripts=${2:-}
stamp=node_modules/.converge-installed
installed() { [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; }
installed && exit 0
# The lock names the folder by its whole path: tests/github/contract and
# tests/providers/fabric/contract share a base name, not a lock.
exec 9>"${TMPDIR:-/tmp}/converge-npm-$(basename "$PWD")-$(pwd | cksum | cut -d' ' -f1).lock"
flock 9
installed && exit 0
npm ci $scripts --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$stamp"
