#!/usr/bin/env bash
# Collects the converge image's whole root file system into DEST, for a `FROM scratch`
# final stage (Dockerfile): converge's executables, exactly the shared libraries they
# and pg_dump load (their ldd closure, with the loader), pg_dump itself, the CA bundle,
# and the few files of /etc that libc, libpq and libcurl read. No shell, no package
# manager, no Debian userland: what is not here cannot be run in a step's container.
#
#   scripts/image-rootfs.sh DEST EXECUTABLE... [LIBRARY...]
#
# A shared library given (one converge-steps loads on first use, which ldd of the
# executable does not show: `converge-steps --lazy-libraries`) is taken in with its
# own ldd closure.
#
# Runs inside the image build, on the Debian stage that has the libraries installed.
set -euo pipefail
dest=${1:?destination}
shift
[ $# -gt 0 ] || { echo "image-rootfs: no executables given" >&2; exit 2; }
# Debian's merged /usr: /lib and /lib64 are links into /usr, as the loader expects.
mkdir -p "$dest/usr/lib" "$dest/usr/lib64"
[ -e "$dest/lib" ] || ln -s usr/lib "$dest/lib"
[ -e "$dest/lib64" ] || ln -s usr/lib64 "$dest/lib64"

# A file at its path under $dest, symbolic links resolved (a library is wanted under
# the name the executable asks for).
copy() { mkdir -p "$dest$(dirname "$1")" && cp -L "$1" "$dest$1"; }

for exe in "$@"; do
  case $exe in
    *.so | *.so.*) [ -e "$dest$exe" ] || copy "$exe" ;;
    *) [ -e "$dest$exe" ] || cp -a --parents "$exe" "$dest" ;;
  esac
  # ldd: "libx.so.1 => /usr/lib/.../libx.so.1 (0x...)" and the loader as "/lib64/ld-linux-x86-64.so.2 (0x...)".
  ldd "$(readlink -f "$exe")" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    while read -r lib; do [ -e "$dest$lib" ] || copy "$lib"; done
  if ldd "$(readlink -f "$exe")" | grep -q "not found"; then
    echo "image-rootfs: $exe needs a library that is not installed:" >&2
    ldd "$exe" | grep "not found" >&2
    exit 1
  fi
done

copy /etc/ssl/certs/ca-certificates.crt
mkdir -p "$dest/etc" "$dest/tmp" "$dest/root"
chmod 1777 "$dest/tmp"
chmod 700 "$dest/root"
printf 'root:x:0:0:root:/root:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n' >"$dest/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dest/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$dest/etc/nsswitch.conf"
