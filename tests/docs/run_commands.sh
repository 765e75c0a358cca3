#!/usr/bin/env bash
# docs.commands.run: prepares the quickstart repository (scripts/quickstart.sh
# --prepare, its BI runtime running) and runs every documented command that works on
# a local repository in it, as written (check_commands.py --run).
#   run_commands.sh REPO_ROOT BIN_DIR
set -euo pipefail
root=$1 bin=$2
work=$(mktemp -d /tmp/converge-docs-run-XXXXXX)
cleanup() {
  [ -f "$work/.converge/bi-server.pid" ] && kill "$(cat "$work/.converge/bi-server.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
bash "$root/scripts/quickstart.sh" --prepare "$bin" "$work" >"$work.log" 2>&1 || { cat "$work.log"; exit 1; }
BI_URL=$(cat "$work/.converge/bi-url")
rm -f "$work.log"
export BI_URL
CONVERGE_BIN_DIR=$bin python3 "$root/tests/docs/check_commands.py" "$root" --run "$work"
