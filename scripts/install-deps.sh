#!/usr/bin/env bash
# Installs the Debian packages converge builds, tests and runs with. Idempotent:
# packages already present are left alone and apt is not touched at all then.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config git ca-certificates curl
  libcurl4-openssl-dev nlohmann-json3-dev libyaml-cpp-dev libgit2-dev
  libcxxopts-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev libsqlite3-dev libssl-dev libdtl-dev libzip-dev
  sqlite3 postgresql postgresql-client groff-base python3-jinja2 python3-yaml lighttpd buildah mmdebstrap uidmap time
  clang-19 libclang-rt-19-dev lld
)

# Node.js and npm run test peers (the GitHub API server, json-server, prism, the
# workflow parser); a machine that has them (Node 20 here) keeps its own.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# clang's sanitizers name functions and lines through llvm-symbolizer
# (scripts/sanitizer-env.sh): Debian's llvm-19 has it; a machine with one keeps its own.
command -v llvm-symbolizer-19 >/dev/null 2>&1 || command -v llvm-symbolizer >/dev/null 2>&1 || packages+=(llvm-19)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "converge: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
