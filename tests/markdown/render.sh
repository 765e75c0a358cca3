#!/bin/sh
# SPDX-License-Identifier: MIT
# Renders a markdown file with markdown-it as GitHub would (render.mjs) and prints
# the JSON report, after installing the pinned packages (tests/support/npm_install.sh).
set -eu
cd "$(dirname "$0")"
sh ../support/npm_install.sh .
exec node render.mjs "$1"
