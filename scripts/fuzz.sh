#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/; clang-19 with ASan and UBSan, in build/fuzz)
# and runs each for a bounded time: first every committed crash input under
# fuzz/regressions/<target>/ (they must pass), then the target on its corpus
# (build/fuzz/corpus/<target>, seeded by fuzz/seeds.py, kept between runs).
# Leak detection is on. Exits non-zero on any crash, hang (-timeout), memory blow-up
# (-rss_limit_mb) or leak, naming the reproducer. docs/fuzzing.md says more.
#
# usage: scripts/fuzz.sh [--build-only] [target ...]      (default: every fuzz/*.cpp)
#   --build-only  build the targets and stop
#   FUZZ_BUILD    the build directory (default build/fuzz)
#   FUZZ_BUILT    when set, FUZZ_BUILD's targets are built already and are only run
#                 (make test builds them with the tests: CONVERGE_SANITIZE + CONVERGE_FUZZ)
#   FUZZ_SECONDS  wall-clock time for the fuzzing, shared by the targets (default 60)
#   FUZZ_RUNS     instead: this many inputs per target (fabric_parameters, slower per
#                 input, a twelfth of them) from a fixed seed, so a run on a
#                 fresh corpus is the same every time (make test: CI fails only when the
#                 code changes, never because a fuzzer got lucky); FUZZ_SECONDS then caps
#                 each target at four times its share
#   FUZZ_JOBS     targets run at once (default: nproc)
#   CONVERGE_COUNTS_DIR  when set, one summary line goes to $CONVERGE_COUNTS_DIR/fuzz.txt
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$root/build/fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}

if ! command -v clang++-19 >/dev/null; then
  echo "converge fuzz: clang++-19 is not installed (bash scripts/install-deps.sh installs it)" >&2
  exit 2
fi

build_only=false
if [ "${1:-}" = --build-only ]; then build_only=true; shift; fi
if [ $# -gt 0 ]; then
  targets=("$@") build_targets=()
  for t in "$@"; do build_targets+=("fuzz_$t"); done
else
  targets=() build_targets=(converge_fuzzers)
  for src in "$root"/fuzz/*.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi

started=$(date +%s)
if [ -n "${FUZZ_BUILT:-}" ]; then
  # make test: FUZZ_BUILD is its own build, where the targets were built with the tests.
  build_note="built with the tests"
else
  CC=clang-19 CXX=clang++-19 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCONVERGE_FUZZ=ON \
    -DCONVERGE_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++-19 >/dev/null
  cmake --build "$build" -j"$(nproc)" --target "${build_targets[@]}" >"$build/build.log" 2>&1 || {
    cat "$build/build.log" >&2
    echo "converge fuzz: the fuzz build failed" >&2
    exit 1
  }
  $build_only && exit 0
  build_note="build $(( $(date +%s) - started )) s"
fi
python3 "$root/fuzz/seeds.py" "$build/corpus" "$root/../shared/testdata"

export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
source "$root/scripts/sanitizer-env.sh"

# The dictionary of each target (fuzz/dict/), config's being YAML's and its own,
# the fabric targets' parameter.yml's, JSONPath's and JSON's.
dictionary() {
  case $1 in
    config) cat "$root/fuzz/dict/config.dict" "$root/fuzz/dict/yaml.dict" ;;
    yaml_variables | superset_export) cat "$root/fuzz/dict/yaml.dict" ;;
    template | migration | marker) cat "$root/fuzz/dict/$1.dict" ;;
    event | github_api | plan_json) cat "$root/fuzz/dict/json.dict" ;;
    terraform_plan) cat "$root/fuzz/dict/json.dict" "$root/fuzz/dict/terraform_plan.dict" ;;
    fabric_parameters) cat "$root/fuzz/dict/fabric.dict" "$root/fuzz/dict/yaml.dict" "$root/fuzz/dict/json.dict" ;;
    fabric_json_path) cat "$root/fuzz/dict/fabric.dict" "$root/fuzz/dict/json.dict" ;;
  esac
}

slots=$(( jobs < ${#targets[@]} ? jobs : ${#targets[@]} ))  # targets that run at once
per_target=$(( seconds * slots / ${#targets[@]} ))
[ "$per_target" -ge 1 ] || per_target=1
mkdir -p "$build/logs" "$build/dict"
# Under FUZZ_RUNS, the inputs of a target: fabric_parameters reads YAML, compiles
# regexes and applies them to a dozen parts per input, some 30 times slower than the
# others per input, so it gets a twelfth of them (about as long as the others take).
runs_of() {
  case $1 in
    fabric_parameters) echo $(( (FUZZ_RUNS + 11) / 12 )) ;;
    *) echo "$FUZZ_RUNS" ;;
  esac
}
if [ -n "${FUZZ_RUNS:-}" ]; then
  budget="$FUZZ_RUNS inputs each (fabric_parameters $(runs_of fabric_parameters)) from seed 1"
else
  budget="${per_target} s each"
fi

# One target: replays its regressions, then fuzzes. Writes logs/<t>.log and logs/<t>.rc.
run_target() {
  local t=$1 bin=$build/fuzz/fuzz_$1 log=$build/logs/$1.log
  local crashes=$build/crashes/$t/ dict=$build/dict/$t.dict rc=0 limit=(-max_total_time="$per_target")
  [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$(runs_of "$t")" -seed=1 -max_total_time=$((per_target * 4)))
  mkdir -p "$build/corpus/$t" "$crashes"
  : >"$log"
  local regressions=("$root/fuzz/regressions/$t"/*)
  if [ -e "${regressions[0]}" ]; then
    "$bin" -rss_limit_mb=2048 -timeout=10 "${regressions[@]}" >>"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then echo "regression failed" >>"$log"; echo "$rc" >"$build/logs/$t.rc"; return; fi
  fi
  local dict_flag=()
  dictionary "$t" >"$dict"
  [ -s "$dict" ] && dict_flag=(-dict="$dict")
  "$bin" "$build/corpus/$t" "${dict_flag[@]}" "${limit[@]}" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$crashes" -print_final_stats=1 >>"$log" 2>&1 || rc=$?
  echo "$rc" >"$build/logs/$t.rc"
}

running=0
for t in "${targets[@]}"; do
  [ -x "$build/fuzz/fuzz_$t" ] || { echo "converge fuzz: no target $t (fuzz/$t.cpp)" >&2; exit 2; }
  rm -f "$build/logs/$t.rc"
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

grouped() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }  # 1234567 → 1,234,567
total=0 failed=0 replayed=0
for t in "${targets[@]}"; do
  log=$build/logs/$t.log rc=$(cat "$build/logs/$t.rc" 2>/dev/null || echo 1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  runs=${runs:-0}
  n=$(compgen -G "$root/fuzz/regressions/$t/*" | wc -l || true)
  replayed=$((replayed + n))
  total=$((total + runs))
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    echo "converge fuzz: $t FAILED (exit $rc); its log: $log" >&2
    grep -E "ERROR: |SUMMARY: |==[0-9]+== ?ERROR|Running: |Test unit written to|ALARM|out-of-memory|regression failed" "$log" \
      | head -20 >&2 || true
    reproducer=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    [ -z "$reproducer" ] && reproducer=$(sed -n 's/^Running: //p' "$log" | tail -1)
    [ -n "$reproducer" ] && echo "  reproduce: $build/fuzz/fuzz_$t $reproducer" >&2
  else
    printf 'converge fuzz: %-15s %11s executions, %s regression inputs\n' "$t" "$(grouped "$runs")" "$n"
  fi
done

line="fuzzing: ${#targets[@]} targets, $(grouped "$total") executions, $budget ($build_note), $replayed regression inputs replayed, $failed crashes"
echo "converge $line"
if [ -n "${CONVERGE_COUNTS_DIR:-}" ]; then mkdir -p "$CONVERGE_COUNTS_DIR" && echo "$line" >"$CONVERGE_COUNTS_DIR/fuzz.txt"; fi
[ "$failed" -eq 0 ]
