# Sourced by run-tests.sh and fuzz.sh: where clang's sanitizers find a symbolizer,
# so that every report's stack names functions, files and lines. clang-19's runtime
# has none of its own (g++'s libasan reads the debug lines itself), and looks only
# for an unversioned llvm-symbolizer, which Debian's llvm-19 (install-deps.sh, on a
# machine with no llvm-symbolizer) does not install. An older one (LLVM 14's) works too.
for symbolizer in llvm-symbolizer-19 /usr/lib/llvm-19/bin/llvm-symbolizer llvm-symbolizer; do
  if command -v "$symbolizer" >/dev/null; then
    export ASAN_SYMBOLIZER_PATH=$(command -v "$symbolizer")
    break
  fi
done
