#!/usr/bin/env bash
# The quickstart walk: copies examples/quickstart to a temporary git repository and
# runs the deployment loop on SQLite, checking every step's exit code.
#   scripts/quickstart.sh BIN_DIR [WORK_DIR]
#   scripts/quickstart.sh --prepare BIN_DIR [WORK_DIR]   (make quickstart-repo)
# --prepare stops before the walk: the repository is ready, its BI runtime keeps
# running, and the lines to paste to try the commands by hand are printed.
# QUICKSTART_BI=superset runs the BI target on the local Apache Superset API of the
# tests (tests/providers/superset/server) with `runtime: superset`, instead of the
# REST item server (json-server).
set -euo pipefail
bi_runtime=${QUICKSTART_BI:-rest}
case "$bi_runtime" in
  rest | superset) ;;
  *) echo "quickstart: QUICKSTART_BI must be rest or superset, not '$bi_runtime'" >&2; exit 2 ;;
esac
prepare=false
if [ "${1:-}" = --prepare ]; then prepare=true; shift; fi
bin=$(cd "${1:?directory holding the converge executables}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$(mktemp -d /tmp/converge-quickstart-XXXXXX)}
export PATH="$bin:$PATH"

walk=quickstart
. "$here/scripts/walk-lib.sh"
commit() { git add -A && git -c user.name=Quickstart -c user.email=quickstart@example.com commit -qm "$1"; }

bold "A consumer repository in $work"
cp -R "$here/examples/quickstart/." "$work/"
cd "$work"

# The BI runtime: a REST item server (json-server, pinned with the assets tests) on
# loopback, holding empty collections; converge.yaml reads its address from BI_URL.
# Or (QUICKSTART_BI=superset) the tests' local Superset, with a database login.
mkdir -p .converge
if [ "$bi_runtime" = superset ]; then
  bash "$here/tests/providers/superset/server/install.sh" >/dev/null
  # The target's settings for Superset: its login, the password from a variable.
  sed -i 's|^      url: \${BI_URL}$|      url: ${BI_URL}\n      runtime: superset\n      username: admin\n      password: ${BI_PASSWORD}|' \
    converge.yaml
  grep -q 'runtime: superset' converge.yaml || { echo "quickstart: converge.yaml has no 'url: \${BI_URL}' line" >&2; exit 1; }
  export BI_PASSWORD=admin
else
  bash "$here/tests/providers/assets/server/install.sh" >/dev/null
fi
echo '{"databases": [], "datasets": [], "charts": [], "dashboards": []}' > .converge/bi-db.json
start_superset() {  # the local Superset on a port it picks; its stdin a FIFO it holds itself, so it never ends
  rm -f .converge/bi-stdin && mkfifo .converge/bi-stdin
  node "$here/tests/providers/superset/server/server.js" <>.converge/bi-stdin >.converge/bi-server.log 2>&1 &
  bi_pid=$!
  local port
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening //p' .converge/bi-server.log)
    if [ -n "$port" ]; then BI_URL=http://127.0.0.1:$port; return 0; fi
    kill -0 "$bi_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
start_bi() {  # start json-server on a free port; fails when it does not come up
  if [ "$bi_runtime" = superset ]; then start_superset; return; fi
  local port=$((38600 + RANDOM % 2000))
  while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  # In the background of a script it ignores Ctrl-C; with --prepare it outlives the script.
  node "$here/tests/providers/assets/server/node_modules/json-server/lib/cli/bin.js" --host 127.0.0.1 \
    --port "$port" --id uuid .converge/bi-db.json >.converge/bi-server.log 2>&1 </dev/null &
  bi_pid=$!
  for _ in $(seq 100); do
    kill -0 "$bi_pid" 2>/dev/null || return 1  # it exited: the port was taken meanwhile
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then BI_URL=http://127.0.0.1:$port; return 0; fi
    sleep 0.1
  done
  return 1
}
bi_pid=
prepared=false
trap '[ -n "$bi_pid" ] && ! $prepared && kill $bi_pid 2>/dev/null' EXIT
for _ in 1 2 3 4 5; do start_bi && break; done
bi_name=json-server
[ "$bi_runtime" = superset ] && bi_name="Superset (local)"
[ -n "${BI_URL:-}" ] || { echo "quickstart: $bi_name did not start (.converge/bi-server.log)" >&2; exit 1; }
export BI_URL
echo "BI runtime ($bi_name) at $BI_URL"
git init -q -b dev/quickstart
commit "Initial migrations"
git log --oneline

if $prepare; then
  prepared=true
  echo "$bi_pid" > .converge/bi-server.pid
  echo "$BI_URL" > .converge/bi-url
  cat <<EOF

The quickstart repository is ready; its BI runtime ($bi_name, pid $bi_pid) keeps running.
Try the commands of docs/quickstart.md by hand in a shell with:

  cd $work
  export PATH="$bin:\$PATH" BI_URL=$BI_URL${BI_PASSWORD:+ BI_PASSWORD=$BI_PASSWORD}

Stop the BI runtime when done: kill \$(cat $work/.converge/bi-server.pid)
EOF
  exit 0
fi

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
if [ "$bi_runtime" = superset ]; then
  printf '(alice renames the chart in Superset: the local server'"'"'s /_control/ui_edit)\n'
  curl -fsS -X POST -H 'Content-Type: application/json' "$BI_URL/_control/ui_edit" \
    -d '{"kind": "chart", "uuid": "9c2b4e6f-3a1d-4b8c-a5e7-1f0d2c3b4a05", "changes": {"slice_name": "Revenue (EUR)"}, "user": "alice"}' \
    >/dev/null
else
  printf '$ curl -X PATCH %s/charts/<revenue chart> -d {"slice_name": "Revenue (EUR)"}\n' "$BI_URL"
  curl -fsS -X PATCH -H 'Content-Type: application/json' -d '{"slice_name": "Revenue (EUR)"}' \
    "$BI_URL/charts/9c2b4e6f-3a1d-4b8c-a5e7-1f0d2c3b4a05" >/dev/null
fi
expect 1 converge drift-verify --env dev
says "~ update charts Revenue (charts/9c2b4e6f-3a1d-4b8c-a5e7-1f0d2c3b4a05)"
says "-slice_name: Revenue (EUR)"
[ "$bi_runtime" = superset ] && says "was last changed by Alice Analyst"

bold "11. export-to-pr brings the edit back to Git (dry run: a local branch, no push, no PR)"
expect 0 converge export-to-pr --env dev --target bi --dry-run
printf '$ git diff HEAD converge/export/dev\n'
git --no-pager diff HEAD converge/export/dev

# --- The GitHub side: pull requests, the plan comment, the gates, promotion to prod.
# A local GitHub REST API stands in for github.com (tests/github/server/server.js:
# node, no dependencies; it keeps pull requests, reviews, comments and statuses as
# GitHub does, and exits when this script ends). Each step runs as a workflow job
# runs it: GITHUB_ACTIONS=true, the event in a file, a token.
bold "12. The GitHub side: a local GitHub API for pull requests, reviews and comments"
coproc GH { exec node "$here/tests/github/server/server.js" --token quickstart-token --repository quick/start \
  --login 'github-actions[bot]'; }
read -r _ gh_port <&"${GH[0]}"
api=http://127.0.0.1:$gh_port
echo "GitHub API (local) at $api"
control() { curl -fsS -X POST -H 'Content-Type: application/json' -d "$2" "$api/_control/$1" >/dev/null; }
run_id=9000
runner_temp=$(mktemp -d /tmp/converge-quickstart-runner-XXXXXX)  # outside the work tree, as on a runner
new_job() { run_id=$((run_id + 1)); printf '%s' "$2" > "$runner_temp/event.json"; event=$1; }
# in_job CMD...: CMD as a step of the current job (new_job EVENT_NAME EVENT_JSON starts one).
in_job() {
  env GITHUB_ACTIONS=true GITHUB_TOKEN=quickstart-token GITHUB_REPOSITORY=quick/start GITHUB_API_URL="$api" \
    GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=$run_id GITHUB_RUN_ATTEMPT=1 GITHUB_JOB=converge \
    GITHUB_WORKSPACE="$work" RUNNER_TEMP="$runner_temp" GITHUB_ACTOR=deployer GITHUB_EVENT_NAME=$event \
    GITHUB_EVENT_PATH="$runner_temp/event.json" GITHUB_SHA="$(git rev-parse HEAD)" \
    GITHUB_OUTPUT=/dev/null GITHUB_STEP_SUMMARY=/dev/null "$@"
}
pull_event() { printf '{"number":%s,"pull_request":{"number":%s,"base":{"ref":"%s"},"head":{"sha":"%s"}}}' "$1" "$1" "$2" "$3"; }
push_event() { printf '{"ref":"refs/heads/%s","after":"%s"}' "$1" "$2"; }

# GitFlow: dev/quickstart → develop (PR #1, stage) → main (PR #2, prod). The merges
# are made now; GitHub learns of the pull requests (alice opened both).
head=$(git rev-parse HEAD)
initial=$(git rev-list --max-parents=0 HEAD)
git branch develop "$initial" && git branch main "$initial"
git checkout -q develop && git -c user.name=Quickstart -c user.email=quickstart@example.com \
  merge -q --no-ff dev/quickstart -m "Merge pull request #1 from dev/quickstart"
m1=$(git rev-parse HEAD)
git checkout -q main && git -c user.name=Quickstart -c user.email=quickstart@example.com \
  merge -q --no-ff develop -m "Merge pull request #2 from develop"
m2=$(git rev-parse HEAD)
control seed "{\"users\":[{\"login\":\"alice\"},{\"login\":\"bob\"}],\"pulls\":[
  {\"number\":1,\"user\":\"alice\",\"merged\":true,\"merge_commit_sha\":\"$m1\",\"head\":{\"ref\":\"dev/quickstart\",\"sha\":\"$head\"},
   \"base\":{\"ref\":\"develop\"},\"commits\":[{\"sha\":\"$head\",\"author\":\"alice\"}]},
  {\"number\":2,\"user\":\"alice\",\"merged\":true,\"merge_commit_sha\":\"$m2\",\"head\":{\"ref\":\"develop\",\"sha\":\"$m1\"},
   \"base\":{\"ref\":\"main\"},\"commits\":[{\"sha\":\"$head\",\"author\":\"alice\"}]}]}"

bold "13. Pull request #1 to develop: the stage plan as one sticky comment"
git checkout -q --detach "$head"
new_job pull_request "$(pull_event 1 develop "$head")"
expect 0 in_job converge plan-comment --dry-run
says "converge plan"
expect 0 in_job converge plan-comment
printf '$ curl %s/repos/quick/start/issues/1/comments   (the comment, as GitHub shows it)\n' "$api"
curl -fsS "$api/_control/comments?issue=1" | jq -r '.[-1].body' | sed -n 1,12p  # sed reads to the end: head's early exit would fail jq (SIGPIPE) under pipefail

bold "14. Merged: the deploy applies to stage exactly the plan the comment showed (plan pinning)"
git checkout -q develop
new_job push "$(push_event develop "$m1")"
expect 0 in_job converge apply --env stage
says "plan pinning: the plan equals the one approved on pull request #1"
expect 0 in_job converge record-manifest --env stage

bold "15. Pull request #2, develop to main: the prod plan"
git checkout -q --detach "$m1"
new_job pull_request "$(pull_event 2 main "$m1")"
expect 0 in_job converge plan-comment

bold "16. Merged without a second person's approval: prod's gates refuse, nothing is applied"
git checkout -q main
new_job push "$(push_event main "$m2")"
expect 1 in_job converge apply --env prod
says "nothing was applied"
printf '(alice approves her own pull request: still refused)\n'
control seed "{\"reviews\":{\"2\":[{\"user\":\"alice\",\"state\":\"APPROVED\",\"commit_id\":\"$m1\"}]}}"
new_job push "$(push_event main "$m2")"
expect 1 in_job converge apply --env prod
says "the author cannot approve their own pull request"

bold "17. bob approves: the two-person rule holds, prod is deployed and recorded"
control seed "{\"reviews\":{\"2\":[{\"user\":\"bob\",\"state\":\"APPROVED\",\"commit_id\":\"$m1\"}]}}"
new_job push "$(push_event main "$m2")"
expect 0 in_job converge apply --env prod
expect 0 in_job converge record-manifest --env prod
expect 0 converge describe --env prod
says "by deployer"

bold "Done: the quickstart repository is at $work"
