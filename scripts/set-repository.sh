#!/usr/bin/env bash
# Changes the GitHub repository (owner/name) that publishes converge's actions,
# reusable workflows and image, everywhere it is named: the one setting in
# CMakeLists.txt (set(CONVERGE_REPOSITORY …)), the actions and their image
# (ghcr.io/<owner/name>), the reusable and starter workflows, the image labels and
# the docs. For a fork or a mirror that publishes its own release:
#   scripts/set-repository.sh acme/converge
# then build (converge init writes starters that use the new name). Tracked files
# only; run it in a clean checkout and review the diff.
set -euo pipefail
new=${1:-}
[[ $new =~ ^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$ ]] || {
  echo "usage: scripts/set-repository.sh OWNER/NAME (GitHub's characters only)" >&2
  exit 2
}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
old=$(sed -n 's/^set(CONVERGE_REPOSITORY "\([^"]*\)")$/\1/p' CMakeLists.txt)
[ -n "$old" ] || { echo "set-repository: no set(CONVERGE_REPOSITORY \"…\") line in CMakeLists.txt" >&2; exit 2; }
[ "$old" != "$new" ] || { echo "set-repository: already $new"; exit 0; }
# ghcr.io image names are lower case.
old_image=$(printf '%s' "$old" | tr '[:upper:]' '[:lower:]')
new_image=$(printf '%s' "$new" | tr '[:upper:]' '[:lower:]')
quote() { printf '%s' "$1" | sed 's/[][\/.*^$]/\\&/g'; }
mapfile -t files < <(git ls-files -z | xargs -0 grep -lF -- "$old" 2>/dev/null || true)
[ ${#files[@]} -gt 0 ] || { echo "set-repository: nothing names $old" >&2; exit 2; }
sed -i -e "s/ghcr\.io\/$(quote "$old_image")/ghcr.io\/$(quote "$new_image")/g" \
       -e "s/$(quote "$old")/$(quote "$new")/g" "${files[@]}"
echo "set-repository: $old → $new in ${#files[@]} files"
