#!/usr/bin/env bash
# The Fabric example walk: copies examples/fabric to a temporary git repository and
# deploys it to converge's local Microsoft Fabric server (tests/providers/fabric/server,
# the stand-in the tests use: Fabric itself cannot be reached from a build machine),
# checking every step's exit code and what it says.
#   scripts/fabric-example.sh BIN_DIR [WORK_DIR]        (make fabric-example)
set -euo pipefail
bin=$(cd "${1:?directory holding the converge executables}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$(mktemp -d /tmp/converge-fabric-XXXXXX)}
export PATH="$bin:$PATH"

walk="fabric example"
. "$here/scripts/walk-lib.sh"
commit() { git add -A && git -c user.name=Example -c user.email=example@example.com commit -qm "$1"; }
# control METHOD PATH [JSON]: the local server's control API (python3: no curl needed).
control() {
  python3 - "$FABRIC_API$2" "$1" "${3:-}" <<'PY'
import sys, urllib.request
url, method, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None,
                             headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(req).read().decode())
PY
}

bold "The local Fabric server"
# Its stdin is this script's pipe: the server exits when the walk ends, however it ends.
# Retry-After 0: Fabric asks for 20-30 s between polls; the walk need not wait.
coproc FABRIC { exec node "$here/tests/providers/fabric/server/server.js" --retry-after 0 --client-id 5d1c0e2f-0a9b-4c8d-9e7f-6a5b4c3d2e1f \
  --client-secret 'Ex4mpl3-s3cret+1'; }
read -r _ api_port _ <&"${FABRIC[0]}"
export FABRIC_API=http://127.0.0.1:$api_port FABRIC_AUTHORITY=http://127.0.0.1:$api_port
export FABRIC_TENANT=72f988bf-86f1-41af-91ab-2d7cd011db47 FABRIC_CLIENT_ID=5d1c0e2f-0a9b-4c8d-9e7f-6a5b4c3d2e1f
export FABRIC_CLIENT_SECRET='Ex4mpl3-s3cret+1'
ids=$(control POST /_control/seed '{"workspaces": [{"displayName": "Sales [DEV]"},
  {"displayName": "Sales", "description": "Owned by the sales data team."}]}')
DEV_WORKSPACE=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["workspaces"][0]["id"])' "$ids")
PROD_WORKSPACE=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["workspaces"][1]["id"])' "$ids")
export DEV_WORKSPACE PROD_WORKSPACE
echo "Fabric API at $FABRIC_API; workspaces dev $DEV_WORKSPACE, prod $PROD_WORKSPACE"

bold "A consumer repository in $work"
cp -R "$here/examples/fabric/." "$work/"
cd "$work"
echo ".converge/" > .gitignore
git init -q -b dev/example
commit "The sales workspace"

bold "1. Plan dev: four items to create, in dependency order"
expect 0 converge plan --env dev
says "4 to create"
says "+ create Lakehouse Sales (Lakehouse/Sales)"
says "ppe-orders-api.example.com"

bold "2. Apply dev, and record it"
expect 0 converge apply --env dev
expect 0 converge record-manifest --env dev

bold "3. Plan again: the workspace equals Git"
expect 0 converge plan --env dev
says "0 to create, 0 to update, 0 to delete"

bold "4. A changed notebook is one update, with the diff of that cell"
sed -i 's/append/overwrite/' "workspace/Load Sales.Notebook/notebook-content.py"
commit "Reload the day's orders"
expect 0 converge plan --env dev
says "1 to update"
says '-orders.write.mode("append").saveAsTable("orders")'
says '+orders.write.mode("overwrite").saveAsTable("orders")'
expect 0 converge apply --env dev
expect 0 converge record-manifest --env dev

bold "5. What is dev running? The manifest, and the workspace's own description"
sha=$(git rev-parse HEAD)
expect 0 converge describe --env dev
says "${sha:0:12}"
state=$(control GET "/_control/state?workspace=$DEV_WORKSPACE")
case $state in *"Deployed by converge: ${sha:0:12}"*) echo "the workspace description names ${sha:0:12}" ;;
  *) echo "fabric example: the workspace description has no stamp of ${sha:0:12}" >&2; exit 1 ;; esac

bold "6. Someone edits the notebook in the Fabric portal: drift (exit 1)"
notebook=$(python3 -c 'import json,sys
for i in json.loads(sys.argv[1])["workspaces"][0]["items"]:
    if i["type"] == "Notebook": print(i["id"])' "$state")
edited=$(python3 -c 'import json,sys
for i in json.loads(sys.argv[1])["workspaces"][0]["items"]:
    if i["type"] == "Notebook":
        text = [p["text"] for p in i["parts"] if p["path"] == "notebook-content.py"][0]
        print(json.dumps({"workspace": sys.argv[2], "item": i["id"], "parts": [{"path": "notebook-content.py",
              "text": text.replace("loaded from", "loaded (portal edit) from")}]}))' "$state" "$DEV_WORKSPACE")
control POST /_control/portal_edit "$edited" >/dev/null
expect 1 converge drift-verify --env dev
says "~ update Notebook Load Sales (Notebook/Load Sales)"
says "portal edit"

bold "7. Reconcile: Git wins again"
expect 0 converge drift-verify --env dev --apply
expect 0 converge drift-verify --env dev

bold "8. Prod's plan uses prod's parameters"
expect 0 converge plan --env prod
says "orders-api.example.com"
says "400"
printf '\nThe Fabric example walk passed (repository in %s).\n' "$work"
[ -n "$notebook" ]
