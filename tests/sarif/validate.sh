#!/bin/sh
# SPDX-License-Identifier: MIT
# Validates a SARIF file against the SARIF 2.1.0 schema (validate.mjs) and prints the
# JSON report, after installing this folder's pinned packages when needed.
# Usage: validate.sh FILE
set -eu
here="$(dirname "$0")"
sh "$here/../support/npm_install.sh" "$here"
exec node "$here/validate.mjs" "$1"
