#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the contract test's npm packages (the Prism validating proxy) into this folder
# from package-lock.json (tests/support/npm_install.sh).
set -eu
exec sh "$(dirname "$0")/../../../support/npm_install.sh" "$(dirname "$0")"
