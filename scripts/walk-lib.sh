# Shell functions of the walks (scripts/quickstart.sh, scripts/fabric-example.sh):
# each step's command shown, its exit code checked and its output searched for what
# the docs promise it shows. Sourced; $walk names the walk in its failures.
bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# expect CODE CMD...: runs CMD, shows its output, fails the walk on another exit code.
# The output is kept in $out for says().
expect() {
  local want=$1; shift
  printf '$ %s\n' "$*"
  set +e; out=$("$@" 2>&1); local got=$?; set -e
  printf '%s\n' "$out"
  if [ "$got" -ne "$want" ]; then
    printf '%s: expected exit code %s from "%s", got %s\n' "$walk" "$want" "$*" "$got" >&2
    exit 1
  fi
  printf '(exit code %s, as expected)\n' "$got"
}
# says TEXT: the last command's output contains TEXT (what the docs promise it shows).
says() {
  case $out in *"$1"*) ;; *) printf '%s: the output does not say "%s"\n' "$walk" "$1" >&2; exit 1 ;; esac
}
