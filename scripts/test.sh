#!/usr/bin/env bash
# `make test`: the sanitizer build (clang-19, with the fuzz targets) and every test
# against a throwaway PostgreSQL (run-tests.sh), the fuzzers on 20,000 inputs each
# (fuzz.sh), and the container image with every step checked inside it
# (build-image.sh), then what the robustness checks tried. A smoke run of every
# benchmark (CTest bench.smoke) keeps them from rotting.
# The container image (a g++ Release build in a chroot, ~9 CPU-minutes) runs beside
# that chain (build, tests, fuzzing), at low priority: on two cores the chain leaves
# cycles idle (the build waits on single compilations and links, the tests on servers
# and processes), and niced, the image takes those instead of the chain's.
# The image's log is build/image.log, shown whole when it fails.
#
#   scripts/test.sh BUILD_DIR [JOBS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?build directory}
jobs=${2:-$(nproc)}
mkdir -p "$root/build"
image_log=$root/build/image.log
image_pid=
# Background work (the image) has its own process group, stopped whole on exit.
trap 'for p in $image_pid; do kill -- -"$p" 2>/dev/null; done; true' EXIT
# Runs "$@" in a session of its own (its process group: $! of a `&` job calling this, so
# kill -- -$! stops all of it) at scheduling priority $1. setsid makes a new
# session, and where the kernel groups each session for scheduling (autogroups,
# /proc/sys/kernel/sched_autogroup_enabled, on by default) a process's own nice counts
# only inside its group: the group's nice is what weighs against the chain. So the
# group's is set too (/proc/self/autogroup, after setsid), else the "niced" image
# build still took half the CPU while the sanitizer build ran.
in_background() {
  local level=$1
  shift
  exec setsid bash -c 'echo "$0" >/proc/self/autogroup 2>/dev/null; exec nice -n "$0" "$@"' "$level" "$@"
}

if command -v buildah >/dev/null && command -v mmdebstrap >/dev/null; then
  # Its own process group, so that a failure here stops all of it. First the base
  # (mmdebstrap: downloads, then dpkg) at normal priority: at nice 19 beside the
  # sanitizer build it took ~630 s, and the image's build waited for it until the
  # build was long over (fresh clones: 1198-1215 s in all, the image last). Then the
  # image's build (a release compile) at the lowest priority, its session's autogroup
  # too (in a session of its own without its group's nice it had half of the CPU),
  # and only once the sanitizer build is done: started beside it, its compile and
  # vfs copies slowed that build by ~120 s (1256 s in all). So it runs beside the
  # tests and the fuzzing, which leave about half of the two cores idle.
  built_marker=$root/build/.sanitizer-build-done
  rm -f "$built_marker"
  # No layer per step (CONVERGE_IMAGE_LAYERS): vfs copies the whole tree at each, and
  # the copies were most of its time beside the tests' disk use.
  CONVERGE_IMAGE_LAYERS=false in_background 0 bash -c 'bash "$0" --base-only || exit
    while [ ! -e "$1" ]; do sleep 2; done
    { echo 19 >/proc/self/autogroup; } 2>/dev/null
    exec nice -n 19 bash "$0"' "$root/scripts/build-image.sh" "$built_marker" >"$image_log" 2>&1 &
  image_pid=$!
else
  echo "converge: buildah/mmdebstrap not installed; the image is not built" >&2
fi

# One build for the tests and the fuzz targets, with clang-19 (CONVERGE_SANITIZE +
# CONVERGE_FUZZ): clang compiles it with ASan and UBSan in about half of g++'s time, and
# the product is compiled once for both. g++ still builds the product, with warnings
# as errors, in the image (beside this) and in make build. -g1: line tables only
# (what a sanitizer's stack trace needs), and lld: the ~50 test and step executables
# with ASan link in a third of bfd's time. bench/README.md, "make test's time".
linker=()
command -v ld.lld >/dev/null && linker=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld)
# A build directory configured with another compiler (g++, before) starts afresh.
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++-19$' "$build/CMakeCache.txt"; then
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
CC=clang-19 CXX=clang++-19 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCONVERGE_SANITIZE=ON \
  -DCONVERGE_FUZZ=ON -DCONVERGE_BENCH=ON -DCMAKE_CXX_FLAGS_DEBUG=-g1 "${linker[@]}" >/dev/null
cmake --build "$build" -j"$jobs"
if [ -n "$image_pid" ]; then touch "$built_marker"; fi
bash "$root/scripts/run-tests.sh" "$build"
# A fixed number of inputs from a fixed seed: the same fuzzing on every fresh clone,
# so CI turns red for a change, not for a lucky draw (make fuzz explores further).
# 20,000 each: 60,000 took a minute and a half of the two cores at the end of make
# test (optimised, then). Unoptimised, as this build is, 20,000 take about two minutes,
# `event` the longest (~80 s at ~250 inputs/s): FUZZ_SECONDS=180 caps each target at
# 120 s, so that every target gets all its inputs on a loaded machine too (a target
# stopped by its cap would fuzz less than asked, not the same on every run).
CONVERGE_COUNTS_DIR=$build/counts FUZZ_SECONDS=${FUZZ_SECONDS:-180} FUZZ_RUNS=${FUZZ_RUNS:-20000} \
  FUZZ_BUILD=$build FUZZ_BUILT=1 bash "$root/scripts/fuzz.sh"

if [ -n "$image_pid" ]; then
  echo "converge: waiting for the image build (build/image.log)"
  if wait "$image_pid"; then
    image_pid=
    grep -E '^(image:|build-image: ok)' "$image_log" || tail -n 5 "$image_log"
  else
    image_pid=
    cat "$image_log" >&2
    echo "converge: the image build failed (above, and in build/image.log)" >&2
    exit 1
  fi
fi

if compgen -G "$build/counts/*.txt" >/dev/null; then
  echo "converge: what the robustness checks tried:"
  sort "$build/counts"/*.txt | sed 's/^/  /'
fi
