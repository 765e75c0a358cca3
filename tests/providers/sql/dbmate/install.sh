#!/bin/sh
# Installs the pinned real dbmate (npm dbmate, whose Linux binary comes as the
# optional dependency @dbmate/linux-x64; see package-lock.json) into node_modules/
# beside this script, for the sql provider's dbmate interoperability tests
# (tests/support/npm_install.sh).
set -eu
exec sh "$(dirname "$0")/../../../support/npm_install.sh" "$(dirname "$0")" --ignore-scripts
