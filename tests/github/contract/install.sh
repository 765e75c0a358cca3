#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the contract test's npm packages (GitHub's OpenAPI description and the
# Prism mock server) into this folder from package-lock.json (tests/support/npm_install.sh).
set -eu
exec sh "$(dirname "$0")/../../support/npm_install.sh" "$(dirname "$0")"
