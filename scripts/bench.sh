#!/usr/bin/env bash
# Runs the benchmarks of a bench build (`make bench`): the PostgreSQL ones against
# $CONVERGE_BENCH_POSTGRES_URL, or a throwaway server on 127.0.0.1 started here and
# stopped again however the run ends.
set -euo pipefail
bench=${1:?benchmark executable}
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${CONVERGE_BENCH_POSTGRES_URL:-}" ]; then
  port=55600
  while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  pgdir=$(mktemp -d /tmp/converge-bench-pg-XXXXXX)
  trap 'bash "$here/test-postgres.sh" stop "$pgdir"' EXIT
  CONVERGE_BENCH_POSTGRES_URL=$(bash "$here/test-postgres.sh" start "$pgdir" "$port")
  export CONVERGE_BENCH_POSTGRES_URL
fi
"$bench"
