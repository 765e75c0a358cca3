#!/bin/sh
# Installs the pinned npm package of the local Superset API (yaml, see package-lock.json)
# into node_modules/ beside this script (tests/support/npm_install.sh).
set -eu
exec sh "$(dirname "$0")/../../../support/npm_install.sh" "$(dirname "$0")" --ignore-scripts
