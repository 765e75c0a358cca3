#!/usr/bin/env bash
# Builds the converge image from ./Dockerfile without a Docker engine and proves it
# runs: buildah (vfs storage, chroot isolation) on a Debian bookworm base made by
# mmdebstrap from the Debian archive. Idempotent: the base tarball is cached under
# build/image/ and buildah's layer cache makes a rebuild of unchanged sources quick.
#
#   scripts/build-image.sh [TAG]        (default TAG: localhost/converge:dev)
#   scripts/build-image.sh --base-only  (only step 1: the base, made or found cached)
#
# Then it prints the image size and, inside the image with `buildah run`, runs
# `--version` and `--help` of converge and of every step in steps/CMakeLists.txt
# (also through the front, `converge <step>`),
# checks that --version names the commit (every step loading its libraries proves
# none is missing), that pg_dump runs (the PostgreSQL snapshot), that there is no
# shell or package manager, that a step in a runner-owned workspace writes as that
# owner, that the files stay under 60 MB (issue 15) and that the OCI labels are set.
# The image has no shell, so files are checked through `buildah mount`. Exits
# non-zero on any failure. Environment:
#   CONVERGE_DEBIAN_MIRROR      Debian mirror (default: the one apt uses here)
#   CONVERGE_SECURITY_MIRROR    Debian security mirror (default: likewise)
#   CONVERGE_IMAGE_DIR          storage and cache (default: build/image)
#   CONVERGE_BASE_MAX_AGE_DAYS  rebuild the base tarball when older (default 7)
#   CONVERGE_IMAGE_LAYERS       false: no layer per Dockerfile step (default true, a
#                               rebuild then reuses the unchanged ones). vfs copies the
#                               whole tree at every layer: without them a build from a
#                               clean storage took 174 s instead of 227 s (make test's
#                               build, which never reuses a layer, sets false)
#   CONVERGE_IMAGE_REV          build the sources of this commit or tag (git archive)
#                               instead of the work tree, e.g. a release tag; the
#                               Dockerfile is always the work tree's
# Disk: vfs stores every layer as a full copy; the cache under build/image takes
# about 4 GB (make clean removes it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base_only=false
if [ "${1:-}" = --base-only ]; then base_only=true; shift; fi
tag=${1:-localhost/converge:dev}
dir=${CONVERGE_IMAGE_DIR:-$root/build/image}
max_age=${CONVERGE_BASE_MAX_AGE_DAYS:-7}

say() { printf 'build-image: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
for tool in buildah mmdebstrap; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh installs it)"
done

mkdir -p "$dir"
# Everything buildah stores stays under build/ (make clean removes it).
bah=(buildah --root "$dir/storage" --runroot "$dir/run" --storage-driver vfs)
started=$SECONDS
phase() { say "$1 ($((SECONDS - started))s so far)"; }

# The mirrors apt uses on this machine (deb822 .sources or one-line sources.list).
apt_uri() {  # $1: regex the URI must match
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    awk -v re="$1" '($1 == "URIs:" || $1 == "deb") { for (i = 2; i <= NF; i++) if ($i ~ re) { print $i; exit } }' || true
}
mirror=${CONVERGE_DEBIAN_MIRROR:-$(apt_uri '/debian/?$')}
mirror=${mirror:-http://deb.debian.org/debian}
security=${CONVERGE_SECURITY_MIRROR:-$(apt_uri '/debian-security/?$')}
security=${security:-http://deb.debian.org/debian-security}

# 1. The base: a minimal Debian bookworm from the archive, without docs, man pages
#    and translations (as debian:bookworm-slim), cached as a tarball.
base_tar=$dir/debian-bookworm-minbase.tar
if [ -f "$base_tar" ] && [ -z "$(find "$base_tar" -mtime +"$max_age")" ]; then
  say "base: cached $base_tar"
else
  phase "base: mmdebstrap bookworm from $mirror"
  slim=()
  for p in doc man info groff lintian locale; do slim+=(--dpkgopt="path-exclude=/usr/share/$p/*"); done
  slim+=(--dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-include=/usr/share/locale/locale.alias')
  mmdebstrap --variant=minbase --format=tar --quiet "${slim[@]}" \
    --aptopt='Acquire::Retries "3"' \
    bookworm "$base_tar.tmp" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main"
  mv "$base_tar.tmp" "$base_tar"
fi
base_id=$(sha256sum "$base_tar" | cut -c1-12)
base_image=localhost/converge-base:bookworm-$base_id
if "${bah[@]}" inspect --type image "$base_image" >/dev/null 2>&1; then
  say "base: $base_image already imported"
else
  phase "base: importing $base_image"
  ctr=$("${bah[@]}" from scratch)
  "${bah[@]}" add "$ctr" "$base_tar" / >/dev/null
  "${bah[@]}" config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --label org.opencontainers.image.title="debian bookworm minbase (mmdebstrap)" "$ctr"
  "${bah[@]}" commit --quiet --rm "$ctr" "$base_image" >/dev/null
fi
if $base_only; then
  phase "base: ready"
  exit 0
fi

# 2. The image, from the work tree or from one commit's sources.
if [ -n "${CONVERGE_IMAGE_REV:-}" ]; then
  context=$dir/context
  rm -rf "$context" && mkdir -p "$context"
  git -C "$root" archive "$CONVERGE_IMAGE_REV" | tar -x -C "$context"
  cp "$root/.dockerignore" "$context/"
  git_sha=$(git -C "$root" rev-parse --short=12 "$CONVERGE_IMAGE_REV^{commit}")
else
  context=$root
  git_sha=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  if [ "$git_sha" != unknown ] && ! git -C "$root" diff --quiet HEAD -- CMakeLists.txt cmake src steps 2>/dev/null; then
    git_sha="$git_sha-dirty"
  fi
fi
# The commit's time, not the clock: a rebuild of the same sources is the same image
# (and hits buildah's layer cache).
created=$(git -C "$root" log -1 --format=%cI "${CONVERGE_IMAGE_REV:-HEAD}" 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
version=$(sed -n 's/^project(converge VERSION \([0-9.]*\).*/\1/p' "$context/CMakeLists.txt")
phase "image: building $tag at $git_sha (version $version)"
"${bah[@]}" bud --isolation chroot --layers=${CONVERGE_IMAGE_LAYERS:-true} --quiet \
  --build-arg BASE_IMAGE="$base_image" --build-arg GIT_SHA="$git_sha" --build-arg VERSION="$version" \
  --build-arg CREATED="$created" \
  -f "$root/Dockerfile" -t "$tag" "$context" >/dev/null
phase "image: built"
"${bah[@]}" images --format 'image: {{.Name}}:{{.Tag}} {{.Size}}' "$tag"

# 3. Prove it runs.
failures=0
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
ctr=$("${bah[@]}" from --quiet "$tag")
trap '"${bah[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
# buildah run itself fails now and then under chroot isolation ("Close_Fd sealing
# memfd copy: Device or resource busy"): a command that fails is tried up to 3 times,
# so only a failure of the command, not of buildah, fails a check.
run() {
  local attempt rc=0
  for attempt in 1 2 3; do
    "${bah[@]}" run --isolation chroot "$ctr" -- "$@" && return 0
    rc=$?
    [ "$attempt" -lt 3 ] && sleep 1
  done
  return "$rc"
}

out=$(run converge --version) || fail "converge --version exited $?"
say "  $out"
[[ $out == "converge $version ($git_sha)" ]] || fail "converge --version says '$out', not 'converge $version ($git_sha)'"
run converge --help >/dev/null || fail "converge --help exited $?"
steps=$(sed -n 's/^set(CONVERGE_STEPS \(.*\))/\1/p' "$context/steps/CMakeLists.txt")
[ -n "$steps" ] || fail "no CONVERGE_STEPS in steps/CMakeLists.txt"
for step in $steps; do
  exe=converge-$step
  out=$(run "$exe" --version) || { fail "$exe --version exited $?"; continue; }
  [[ $out == "$exe $version ($git_sha)" ]] || fail "$exe --version says '$out'"
  run "$exe" --help >/dev/null || fail "$exe --help exited $?"
  front=$(run converge "$step" --version) || fail "converge $step --version exited $?"
  [[ $front == "$out" ]] || fail "converge $step does not run $exe"
  say "  $out, --help ok, converge $step ok"
done
# Every library the steps load on first use loads in the image too.
lazy=$(run converge-steps --lazy-libraries) || fail "converge-steps --lazy-libraries exited $?"
say "  loaded on first use: $(printf '%s\n' "$lazy" | cut -d' ' -f1 | tr '\n' ' ')"
# The image has no shell: what a check needs from its files is read through a mount.
mnt=$("${bah[@]}" mount "$ctr")
pg_dump=$(cd "$mnt" && ls usr/lib/postgresql/*/bin/pg_dump 2>/dev/null | head -n 1)
if [ -z "$pg_dump" ]; then
  fail "no pg_dump under /usr/lib/postgresql (the PostgreSQL snapshot needs it)"
else
  out=$(run "/$pg_dump" --version) || fail "/$pg_dump --version exited $? (a library it needs is missing?)"
  say "  $out"
fi
for tool in bin/sh bin/bash usr/bin/apt-get usr/bin/dpkg; do
  [ ! -e "$mnt/$tool" ] || fail "/$tool is in the image: the final stage holds only what the steps load"
done
user=$("${bah[@]}" inspect --type image --format '{{.OCIv1.Config.User}}' "$tag")
case $user in "" | 0 | root | 0:0) ;; *) fail "the image runs as '$user', not root as GitHub asks of Docker actions" ;; esac
# As in a runner: root in the container, the workspace owned by the runner's user
# (uid 1001 on GitHub-hosted runners); what a step writes belongs to that user.
mkdir -p "$mnt/tmp/ws/db/migrations" && : >"$mnt/tmp/ws/db/migrations/1_a.sql" && chown -R 1001:1001 "$mnt/tmp/ws"
"${bah[@]}" run --isolation chroot --workingdir /tmp/ws --env GITHUB_ACTIONS=true --env GITHUB_WORKSPACE=/tmp/ws \
  "$ctr" -- converge init >/dev/null || fail "a step in a runner-owned workspace failed"
owner=$(stat -c %u "$mnt/tmp/ws/converge.yaml" 2>/dev/null || echo none)
[ "$owner" = 1001 ] || fail "a step in a workspace owned by uid 1001 wrote files as uid $owner"
# Issue 15's bound on the image: its files, uncompressed, under 60 MB.
size_mb=$(du -sm --exclude=tmp/ws "$mnt" | cut -f1)
say "  files: $size_mb MB uncompressed"
[ "$size_mb" -lt 60 ] || fail "the image's files take $size_mb MB; the bound is 60 MB (Dockerfile)"
for label in title source version revision created licenses; do
  value=$("${bah[@]}" inspect --type image --format "{{index .OCIv1.Config.Labels \"org.opencontainers.image.$label\"}}" "$tag")
  [ -n "$value" ] && [ "$value" != "<no value>" ] || fail "label org.opencontainers.image.$label is not set"
done
[ "$failures" -eq 0 ] || die "$failures check(s) failed"
say "ok: $tag runs every step, as the workspace owner in a runner ($((SECONDS - started))s)"
