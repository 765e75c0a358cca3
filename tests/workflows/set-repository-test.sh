#!/usr/bin/env bash
# ctest workflows.set_repository: the publishing repository is one setting. On a copy
# of the tracked files, scripts/set-repository.sh acme/converge-fork leaves no trace
# of the old name, and the copy's actions, reusable and starter workflows still pass
# check_actions.py, check_secrets.py and GitHub's parser (run-validation.sh), all
# reading the new name from the copy's CMakeLists.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
(cd "$root" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$copy"
git -C "$copy" init -q && git -C "$copy" add -A
old=$(sed -n 's/^set(CONVERGE_REPOSITORY "\([^"]*\)")$/\1/p' "$root/CMakeLists.txt")
bash "$copy/scripts/set-repository.sh" acme/Converge-Fork
fail=0
if left=$(git -C "$copy" grep -n -F -- "$old"); then
  echo "FAIL the old name is still in:"; echo "$left"; fail=1
fi
grep -q 'set(CONVERGE_REPOSITORY "acme/Converge-Fork")' "$copy/CMakeLists.txt" || { echo "FAIL CMakeLists.txt"; fail=1; }
grep -q 'docker://ghcr.io/acme/converge-fork:' "$copy/actions/apply/action.yml" || { echo "FAIL image name (lower case)"; fail=1; }
grep -q 'uses: acme/Converge-Fork/actions/apply@' "$copy/.github/workflows/converge-deploy.yml" || { echo "FAIL workflow uses"; fail=1; }
python3 "$copy/tests/workflows/check_actions.py" "$copy" >/dev/null || { echo "FAIL check_actions.py on the copy"; fail=1; }
python3 "$copy/tests/workflows/check_secrets.py" "$copy" >/dev/null || { echo "FAIL check_secrets.py on the copy"; fail=1; }
if command -v node >/dev/null && command -v npm >/dev/null; then
  bash "$here/run-validation.sh" "$copy" >/dev/null || { echo "FAIL GitHub's parser on the copy"; fail=1; }
fi
bash "$copy/scripts/set-repository.sh" 'bad name' >/dev/null 2>&1 && { echo "FAIL a bad name was taken"; fail=1; }
[ $fail -eq 0 ] && echo "ok   set-repository: acme/Converge-Fork everywhere, every check passes on the copy"
exit $fail
