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
# The output is kept in $out for says().
expect() {
  local want=$1; shift
  printf '$ %s\n' "$*"
  set +e; out=$("$@" 2>&1); local got=$?; set -e
  printf '%s\n' "$out"
  if [ "$got" -ne "$want" ]; then
    printf 'quickstart: expected exit code %s from "%s", got %s\n' "$want" "$*" "$got" >&2
    exit 1
  fi
  printf '(exit code %s, as expected)\n' "$got"
}
# says TEXT: the last command's output contains TEXT (what the docs promise it shows).
says() {
  case $out in *"$1"*) ;; *) printf 'quickstart: the output does not say "%s"\n' "$1" >&2; exit 1 ;; esac
}
commit() { git add -A && git -c user.name=Quickstart -c user.email=quickstart@example.com commit -qm "$1"; }

bold "A consumer repository in $work"
cp -R "$here/examples/quickstart/." "$work/"
cd "$work"

# The BI runtime: a REST item server (json-server, pinned with the assets tests) on
# loopback, holding empty collections; converge.yaml reads its address from BI_URL.
bash "$here/tests/providers/assets/server/install.sh" >/dev/null
mkdir -p .converge
echo '{"databases": [], "datasets": [], "charts": [], "dashboards": []}' > .converge/bi-db.json
start_bi() {  # start json-server on a free port; fails when it does not come up
  local port=$((38600 + RANDOM % 2000))
  while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  node "$here/tests/providers/assets/server/node_modules/json-server/lib/cli/bin.js" --host 127.0.0.1 \
    --port "$port" --id uuid .converge/bi-db.json >.converge/bi-server.log 2>&1 &
  bi_pid=$!
  for _ in $(seq 100); do
    kill -0 "$bi_pid" 2>/dev/null || return 1  # it exited: the port was taken meanwhile
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then BI_URL=http://127.0.0.1:$port; return 0; fi
    sleep 0.1
  done
  return 1
}
bi_pid=
trap '[ -n "$bi_pid" ] && kill $bi_pid 2>/dev/null' EXIT
for _ in 1 2 3 4 5; do start_bi && break; done
[ -n "${BI_URL:-}" ] || { echo "quickstart: json-server did not start (.converge/bi-server.log)" >&2; exit 1; }
export BI_URL
echo "BI runtime (json-server) at $BI_URL"
git init -q -b dev/quickstart
commit "Initial migrations"
git log --oneline

bold "1. Plan dev: two pending migrations and three BI assets"
expect 0 converge plan --env dev
says "5 to create"
says "+ create migration db/migrations/20260101090000_create_customers.sql"
says "+ create migration db/migrations/20260102090000_create_invoices.sql"
says "+ create charts Revenue (charts/9c2b4e6f-3a1d-4b8c-a5e7-1f0d2c3b4a05)"

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

bold "10. Someone renames the revenue chart in the BI tool's UI"
printf '$ curl -X PATCH %s/charts/<revenue chart> -d {"slice_name": "Revenue (EUR)"}\n' "$BI_URL"
curl -fsS -X PATCH -H 'Content-Type: application/json' -d '{"slice_name": "Revenue (EUR)"}' \
  "$BI_URL/charts/9c2b4e6f-3a1d-4b8c-a5e7-1f0d2c3b4a05" >/dev/null
expect 1 converge drift-verify --env dev
says "~ update charts Revenue (charts/9c2b4e6f-3a1d-4b8c-a5e7-1f0d2c3b4a05)"
says "-slice_name: Revenue (EUR)"

bold "11. export-to-pr brings the edit back to Git (dry run: a local branch, no push, no PR)"
expect 0 converge export-to-pr --env dev --target bi --dry-run
printf '$ git diff HEAD converge/export/dev\n'
git --no-pager diff HEAD converge/export/dev

bold "Done: the quickstart repository is at $work"
