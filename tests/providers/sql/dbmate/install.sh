#!/bin/sh
# Installs the pinned real dbmate (npm dbmate, whose Linux binary comes as the
# optional dependency @dbmate/linux-x64; see package-lock.json) into node_modules/
# beside this script, for the sql provider's dbmate interoperability tests.
# Idempotent: does nothing when the installed tree already matches the lock file.
set -eu
cd "$(dirname "$0")"
if [ -x node_modules/@dbmate/linux-x64/bin/dbmate ] && cmp -s package-lock.json node_modules/.converge-installed-lock; then
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund
cp package-lock.json node_modules/.converge-installed-lock
