#!/usr/bin/env bash
# Runs every test (ctest) of a build directory with a throwaway PostgreSQL server
# on 127.0.0.1, which is stopped again however the tests end.
set -euo pipefail
# Absolute: the tests write under it from directories of their own ($CONVERGE_COUNTS_DIR).
build=$(cd "${1:?build directory}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

port=55500
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
pgdir=$(mktemp -d /tmp/converge-pg-XXXXXX)
trap 'bash "$here/test-postgres.sh" stop "$pgdir"' EXIT
url=$(bash "$here/test-postgres.sh" start "$pgdir" "$port")
echo "converge: test PostgreSQL at 127.0.0.1:$port"

export CONVERGE_TEST_POSTGRES_URL=$url
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
source "$here/sanitizer-env.sh"
# Checks that count what they tried (canary checks, workflow scenarios, soak
# rounds; fuzz.sh adds the fuzz executions) write one line each under
# $CONVERGE_COUNTS_DIR; scripts/test.sh prints them at the end of `make test`.
export CONVERGE_COUNTS_DIR=$build/counts
rm -rf "$CONVERGE_COUNTS_DIR" && mkdir -p "$CONVERGE_COUNTS_DIR"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 600
