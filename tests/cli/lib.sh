# shellcheck shell=bash disable=SC2034  # CONFIG, FAST and the tallies are for the scripts that source this
# The set-up every shell test of the citsim command line shares; sourced, never run:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
#   test_arguments 2 2 "<citsim-binary> <source-dir>" "$@"   # sets CITSIM, SRC and CONFIG
#   make_test_dir citsim_cli                                   # sets T, removed on exit
#   ... pass "what" / fail "what" "detail" ... / skip "what"
#   report_totals                                              # "N passed, M failed"; exit 0 or 1
#
# A script that must undo more than the directory on exit (mounts, daemons) defines
# `before_cleanup`; it runs first.

# test_arguments MIN MAX USAGE ARG...: between MIN and MAX arguments, else the usage and exit 2.
# The first two are the citsim binary and the source tree: CITSIM and SRC become their absolute
# paths (the tests change directory), CONFIG the default config; the binary must be executable.
test_arguments() {
  local min=$1 max=$2 usage=$3
  shift 3
  if [ $# -lt "$min" ] || [ $# -gt "$max" ]; then
    echo "usage: $0 $usage" >&2
    exit 2
  fi
  CITSIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  SRC=$(cd "$2" && pwd)
  CONFIG="$SRC/configs/default.toml"
  [ -x "$CITSIM" ] || { echo "not an executable: $CITSIM" >&2; exit 2; }
}

# Short, fast successful runs (0d, one session, 30 days): the level and the length do not matter
# for what the command-line tests check.
FAST=(--set model.level=0d --set protocol.series.count=1 --set protocol.end_days=30)

# make_test_dir NAME: T becomes a new directory under $TMPDIR (or /tmp), removed with everything in
# it when the script exits, however it exits (made writable first: tests make read-only places).
make_test_dir() {
  T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  trap _test_dir_cleanup EXIT
}
_test_dir_cleanup() {
  if declare -F before_cleanup >/dev/null; then before_cleanup; fi
  chmod -R u+w "$T" 2>/dev/null
  rm -rf "$T"
}

# The tallies: each check is one pass, fail or skip; pass prints "ok    WHAT", fail prints
# "FAIL  WHAT" and each detail line indented beneath, skip prints "skip  WHAT".
PASSED=0
FAILED=0
SKIPPED=0
pass() { PASSED=$((PASSED + 1)); echo "ok    $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL  $1"
  shift
  local line
  for line in "$@"; do echo "      $line"; done
}
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip  $1"; }

# report_totals: the last line, "N passed, M failed", and the exit: 0 when nothing failed, else 1.
report_totals() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ] || exit 1
  exit 0
}

# small_grid_spec BASE OUTPUT: a two-run 0D sweep spec over needle_length (seconds to run), on
# standard output, for the scripts that need a sweep to run, resume, shard or break.
small_grid_spec() {
  cat <<SPEC
base = "$1"
set = ["model.level=0d", "protocol.series.count=1", "protocol.end_days=20"]
output = "$2"
[design]
kind = "grid"
[[axis]]
key = "needle_length"
values = [1.0, 1.5]
[series]
readouts = ["firmness_gain"]
dt = 1
SPEC
}

# long_grid_spec BASE READOUTS: a 30-run 1D sweep spec (coarse cells, 200 days; long enough to be
# stopped, killed or raced while it runs), on standard output; READOUTS a TOML list's contents.
long_grid_spec() {
  cat <<SPEC
base = "$1"
set = ["numerics.dz=0.1", "protocol.end_days=200"]
[[axis]]
key = "needle_length"
values = [1.0, 1.5, 2.0]
[[axis]]
key = "density"
range = [150, 350]
steps = 10
[series]
readouts = [$2]
dt = 5
SPEC
}
