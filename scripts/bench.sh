#!/usr/bin/env bash
# Runs the benchmarks of a bench build (`make bench`): every case (bench/*.cpp)
# repeated after a warm-up, Google Benchmark's table on stdout and its JSON in
# bench/results.json, then bench/summary.py's table of medians, min, max, peak
# memory and issue 15's targets. The PostgreSQL cases run against
# $CONVERGE_BENCH_POSTGRES_URL, or a throwaway server on 127.0.0.1 started here and
# stopped again however the run ends; the asset cases against json-server (npm).
#
#   scripts/bench.sh BENCH_EXECUTABLE [google benchmark flags, e.g. --benchmark_filter=Compile]
set -euo pipefail
bench=${1:?benchmark executable}
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

bash "$root/tests/providers/assets/server/install.sh" >/dev/null
if [ -z "${CONVERGE_BENCH_POSTGRES_URL:-}" ]; then
  port=55600
  while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  pgdir=$(mktemp -d /tmp/converge-bench-pg-XXXXXX)
  trap 'bash "$here/test-postgres.sh" stop "$pgdir"' EXIT
  CONVERGE_BENCH_POSTGRES_URL=$(bash "$here/test-postgres.sh" start "$pgdir" "$port")
  export CONVERGE_BENCH_POSTGRES_URL
fi
results=$root/bench/results.json
"$bench" --benchmark_out="$results" --benchmark_out_format=json "$@"
echo
python3 "$root/bench/summary.py" "$results"
echo "converge: results in $results"
