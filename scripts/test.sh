#!/usr/bin/env bash
# `make test`: the sanitizer build and every test against a throwaway PostgreSQL
# (run-tests.sh), the fuzzers on 20,000 inputs each (fuzz.sh), and the container
# image with every step checked inside it (build-image.sh), then what the robustness
# checks tried. A smoke run of every benchmark (CTest bench.smoke) keeps them from rotting.
# Two jobs run beside that chain (sanitizer build, tests, fuzzing) from the start,
# at low priority: the container image (a Release build in a chroot, ~8 CPU-minutes)
# and the fuzzers' clang build (~5). On two cores the chain leaves cycles idle (the
# build waits on single compilations and links, the tests on servers and
# processes, about half the time); niced, the two take those instead of the chain's.
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
fuzz_build_pid=
# Background work (the image, the fuzz build) has its own process group, stopped whole on exit.
trap 'for p in $image_pid $fuzz_build_pid; do kill -- -"$p" 2>/dev/null; done; true' EXIT
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

# -g1: line tables only (what a sanitizer's stack trace needs), and lld: the ~50 test
# and step executables with ASan link in a third of bfd's time. Together they take
# minutes off a fresh build on two cores.
linker=()
command -v ld.lld >/dev/null && linker=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCONVERGE_SANITIZE=ON -DCONVERGE_BENCH=ON -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
  "${linker[@]}" >/dev/null
# The fuzzers' clang build, from the start too: niced below the chain but above
# the image, as the fuzzing after the tests waits for it; fuzz.sh then finds it built.
in_background 15 bash "$root/scripts/fuzz.sh" --build-only >"$build/fuzz-build.log" 2>&1 &
fuzz_build_pid=$!
cmake --build "$build" -j"$jobs"
if [ -n "$image_pid" ]; then touch "$built_marker"; fi
bash "$root/scripts/run-tests.sh" "$build"
wait "$fuzz_build_pid" || { fuzz_build_pid=; cat "$build/fuzz-build.log" >&2; echo "converge: the fuzz build failed" >&2; exit 1; }
fuzz_build_pid=
# A fixed number of inputs from a fixed seed: the same fuzzing on every fresh clone,
# so CI turns red for a change, not for a lucky draw (make fuzz explores further).
# 20,000 each: 60,000 took a minute and a half of the two cores at the end of make
# test, and yaml_variables then ran into its time cap on a loaded machine (fewer
# inputs than asked, so not the same fuzzing every time); 20,000 take half a minute.
CONVERGE_COUNTS_DIR=$build/counts FUZZ_SECONDS=${FUZZ_SECONDS:-60} FUZZ_RUNS=${FUZZ_RUNS:-20000} \
  bash "$root/scripts/fuzz.sh"

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
