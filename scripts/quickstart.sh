#!/usr/bin/env bash
# The quickstart walk: copies examples/quickstart to a temporary git repository and
# runs the deployment loop on SQLite, checking every step's exit code.
#   scripts/quickstart.sh BIN_DIR [WORK_DIR]
set -euo pipefail
bin=${1:?directory holding the converge executables}
here=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$(mktemp -d /tmp/converge-quickstart-XXXXXX)}
export PATH="$bin:$PATH"

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# expect CODE CMD...: runs CMD, shows its output, fails the walk on another exit code.
expect() {
  local want=$1; shift
  printf '$ %s\n' "$*"
  set +e; "$@"; local got=$?; set -e
  if [ "$got" -ne "$want" ]; then
    printf 'quickstart: expected exit code %s from "%s", got %s\n' "$want" "$*" "$got" >&2
    exit 1
  fi
  printf '(exit code %s, as expected)\n' "$got"
}
commit() { git add -A && git -c user.name=Quickstart -c user.email=quickstart@example.com commit -qm "$1"; }

bold "A consumer repository in $work"
cp -R "$here/examples/quickstart/." "$work/"
cd "$work"
git init -q -b dev/quickstart
commit "Initial migrations"
git log --oneline

bold "1. Plan dev: two pending migrations"
expect 0 converge plan --env dev

bold "2. Apply dev"
expect 0 converge apply --env dev

bold "3. Record the deployment in the manifest"
expect 0 converge record-manifest --env dev

bold "4. What is dev running?"
expect 0 converge describe --env dev

bold "5. Drift check: the database equals Git"
expect 0 converge drift-verify --env dev

bold "6. Someone adds an index by hand, behind converge's back"
printf '$ sqlite3 .converge/dev.db "create index customers_name on customers(name)"\n'
sqlite3 .converge/dev.db "create index customers_name on customers(name)"

bold "7. Drift check: the ad-hoc change shows up as drift (exit 1)"
expect 1 converge drift-verify --env dev

bold "8. Make it part of Git: a migration that explains the index"
cat > db/migrations/20260103090000_index_customer_names.sql <<'SQL'
-- migrate:up
create index if not exists customers_name on customers(name);

-- migrate:down
drop index customers_name;
SQL
expect 1 converge drift-verify --env dev
expect 0 converge apply --env dev
commit "Index customer names (was added by hand in dev)"
expect 0 converge record-manifest --env dev

bold "9. Drift check: clean again"
expect 0 converge drift-verify --env dev
expect 0 converge describe --env dev --history 5

bold "Done: the quickstart repository is at $work"
