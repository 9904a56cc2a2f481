#!/usr/bin/env bash
# Faults injected into every command that writes (run, sweep, merge, report, calibrate,
# sensitivity): unwritable and read-only places, /dev/full, a tiny file system, a file-size limit,
# missing, truncated and foreign input files. Each must give a clear error naming the file, exit
# code 2, leave every existing file byte-identical (sha256 before and after) and leave no temporary
# file behind. A refusal by the limits names --ignore-limits; with it the same commands warn and
# proceed, to a written file or to the same clean I/O error when the space really runs out.
#
#   bash tests/cli/test_faults.sh <citsim-binary> <source-dir>      (VERBOSE=1: print each message)
#
# As root (where mount(8) works) the read-only directory and the full disk are real tmpfs mounts
# (a 1 MiB one remounted read-only, a 64 KiB one); otherwise a mode-555 directory stands for the
# first and the second is skipped. Prints the number of faults injected.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # CITSIM, SRC, CONFIG, FAST, T, pass/fail/skip

test_arguments 2 2 "<citsim-binary> <source-dir>" "$@"
# The tmpfs mounts come off before the directory goes.
MOUNTS=()
before_cleanup() {
  local m
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
}
make_test_dir citsim_faults

FAULTS=0

# Files that must survive every fault unchanged, and their checksums.
PROTECTED=()
declare -A SUMS
protect() {
  local f
  for f in "$@"; do
    PROTECTED+=("$f")
    SUMS[$f]=$(sha256sum "$f" | cut -d' ' -f1)
  done
}

# run_case NEEDLE... -- COMMAND...: sets NEEDLES, then runs `citsim COMMAND...` or, after "sh:",
# the shell line that follows; stdout and stderr go to $T/last.out and $T/last.err, the exit
# status to RC. Counts the case in FAULTS.
run_case() {
  NEEDLES=()
  while [ "$1" != "--" ]; do
    NEEDLES+=("$1")
    shift
  done
  shift
  FAULTS=$((FAULTS + 1))
  if [ "$1" = "sh:" ]; then
    bash -c "$2" >"$T/last.out" 2>"$T/last.err" </dev/null
  else
    "$CITSIM" "$@" >"$T/last.out" 2>"$T/last.err" </dev/null
  fi
  RC=$?
}

# fault NAME NEEDLE... -- COMMAND...: COMMAND (citsim's arguments, or a full command line when it
# starts with "sh:") must exit 2 with "error: " and every needle on stderr, change no protected
# file and leave no *.tmp-* file anywhere under the test directory.
fault() {
  local name=$1
  shift
  run_case "$@"
  local err
  err=$(cat "$T/last.err")
  local ok=1
  if [ "$RC" -ne 2 ]; then
    fail "$name: exit $RC, expected 2" "stderr: $err"
    ok=0
  fi
  if [[ "$err" != *"error: "* ]]; then
    fail "$name: no 'error: ' line" "stderr: $err"
    ok=0
  fi
  local n
  for n in "${NEEDLES[@]}"; do
    if [[ "$err" != *"$n"* ]]; then
      fail "$name: message lacks '$n'" "stderr: $err"
      ok=0
    fi
  done
  local f
  for f in "${PROTECTED[@]}"; do
    if [ "$(sha256sum "$f" 2>/dev/null | cut -d' ' -f1)" != "${SUMS[$f]}" ]; then
      fail "$name: $f changed"
      ok=0
    fi
  done
  local left
  left=$(find "$T" -name '*.tmp-*' 2>/dev/null)
  if [ -n "$left" ]; then
    fail "$name: temporary files left" "$left"
    ok=0
  fi
  if [ -n "$(ls -A "$T/out" 2>/dev/null)" ]; then
    fail "$name: output written" "$(ls -A "$T/out")"
    rm -rf "${T:?}/out"
    ok=0
  fi
  if [ ! -c /dev/full ]; then
    fail "$name: /dev/full is no longer a character device"
    ok=0
  fi
  if [ $ok -eq 1 ]; then
    pass "$name"
    # VERBOSE=1: the message the user reads, for review.
    [ -n "${VERBOSE:-}" ] && head -n 1 "$T/last.err" | cut -c 1-400 | sed 's/^/      /'
  fi
  return 0
}

# proceeds NAME FILE NEEDLE... -- COMMAND...: like fault, but COMMAND (with --ignore-limits) must
# exit 0 having written FILE, with a "warning: " line and every needle on stderr.
proceeds() {
  local name=$1 file=$2
  shift 2
  run_case "$@"
  local err n problems=()
  err=$(cat "$T/last.err")
  [ "$RC" -eq 0 ] || problems+=("exit $RC, expected 0")
  [ -s "$file" ] || problems+=("no $file")
  [[ "$err" == *"warning: "* ]] || problems+=("no 'warning: ' line")
  for n in "${NEEDLES[@]}"; do
    [[ "$err" == *"$n"* ]] || problems+=("message lacks '$n'")
  done
  [ -z "$(find "$T" -name '*.tmp-*' 2>/dev/null)" ] || problems+=("temporary files left")
  if [ ${#problems[@]} -eq 0 ]; then
    pass "$name"
    [ -n "${VERBOSE:-}" ] && head -n 1 "$T/last.err" | cut -c 1-400 | sed 's/^/      /'
  else
    fail "$name" "${problems[@]}" "stderr: $err"
  fi
  return 0
}

# ------------------------------------------------------------------------------------------------
# Good inputs to break: a run file, a sweep in two shards and its merge, a page, a spec.

mkdir -p "$T/good"
"$CITSIM" run "$CONFIG" "${FAST[@]}" -o "$T/good/run.h5" --quiet || { echo "setup: run failed" >&2; exit 1; }
small_grid_spec "$CONFIG" "$T/good/sweep.h5" >"$T/good/spec.toml"
sed 's/values = \[1.0, 1.5\]/values = [1.0, 2.0]/' "$T/good/spec.toml" | sed "s|sweep.h5|other.h5|" >"$T/good/other_spec.toml"
for i in 0 1; do
  "$CITSIM" sweep "$T/good/spec.toml" --shard $i/2 -j 1 --quiet || { echo "setup: shard $i failed" >&2; exit 1; }
  "$CITSIM" sweep "$T/good/other_spec.toml" --shard $i/2 -j 1 --quiet || { echo "setup: other shard $i failed" >&2; exit 1; }
done
S0="$T/good/sweep.shard-0-of-2.h5"
S1="$T/good/sweep.shard-1-of-2.h5"
O1="$T/good/other.shard-1-of-2.h5"
"$CITSIM" merge "$S0" "$S1" -o "$T/good/merged.h5" --quiet || { echo "setup: merge failed" >&2; exit 1; }
"$CITSIM" report "$T/good/run.h5" -o "$T/good/page.html" --quiet || { echo "setup: report failed" >&2; exit 1; }
for f in run.h5 sweep.shard-0-of-2.h5 sweep.shard-1-of-2.h5 merged.h5 page.html; do
  [ -f "$T/good/$f" ] || { echo "setup: no $f" >&2; exit 1; }
done
protect "$T/good/run.h5" "$S0" "$S1" "$O1" "$T/good/merged.h5" "$T/good/page.html" "$T/good/spec.toml"

# Broken inputs.
mkdir -p "$T/bad"
head -c 700 "$T/good/run.h5" >"$T/bad/truncated_run.h5"
head -c 2000 "$S1" >"$T/bad/truncated_shard.h5"
printf 'this is not HDF5\n' >"$T/bad/text.h5"
# Cut in the middle of the first table header, as a copy interrupted there leaves it.
cut_at_first_table() { awk '/^\[/ { print substr($0, 1, int(length($0) / 2)); exit } { print }' "$1"; }
cut_at_first_table "$CONFIG" >"$T/bad/truncated.toml"
cut_at_first_table "$T/good/spec.toml" >"$T/bad/truncated_spec.toml"
cut_at_first_table "$SRC/configs/validation/targets.toml" >"$T/bad/truncated_targets.toml"
mkdir -p "$T/bad/a_directory.h5"
printf 'x' >"$T/bad/plain_file"
: >"$T/bad/empty.toml.h5"

# Places that cannot take a file. Existing outputs inside them are protected too.
mkdir -p "$T/ro" "$T/tiny"
RO_KIND="mode 555 directory"
TINY=0
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m tmpfs "$T/ro" 2>/dev/null; then
  MOUNTS+=("$T/ro")
  cp "$T/good/run.h5" "$T/ro/run.h5"
  cp "$T/good/merged.h5" "$T/ro/merged.h5"
  cp "$T/good/page.html" "$T/ro/page.html"
  mount -o remount,ro "$T/ro" && RO_KIND="read-only tmpfs"
  if mount -t tmpfs -o size=64k tmpfs "$T/tiny" 2>/dev/null; then
    MOUNTS+=("$T/tiny")
    TINY=1
    printf 'existing\n' >"$T/tiny/keep.txt"
  fi
else
  cp "$T/good/run.h5" "$T/ro/run.h5"
  cp "$T/good/merged.h5" "$T/ro/merged.h5"
  cp "$T/good/page.html" "$T/ro/page.html"
  chmod 555 "$T/ro"
fi
protect "$T/ro/run.h5" "$T/ro/merged.h5" "$T/ro/page.html"
[ $TINY -eq 1 ] && protect "$T/tiny/keep.txt"
RO_REASON="Read-only file system"
[ "$RO_KIND" = "read-only tmpfs" ] || RO_REASON="Permission denied"
if [ "$(id -u)" -eq 0 ] && [ "$RO_KIND" != "read-only tmpfs" ]; then
  skip "read-only directory: root ignores mode 555 and mount(8) is unavailable"
  RO=0
else
  RO=1
fi
echo "read-only directory: $RO_KIND; tiny file system: $([ $TINY -eq 1 ] && echo '64 KiB tmpfs' || echo 'unavailable')"

# ------------------------------------------------------------------------------------------------
# citsim run

fault "run: missing config" "$T/bad/missing.toml" "cannot read the file" -- \
  run "$T/bad/missing.toml" -o "$T/out/run.h5"
fault "run: truncated config" "$T/bad/truncated.toml" "TOML syntax error" -- \
  run "$T/bad/truncated.toml" -o "$T/out/run.h5"
fault "run: a device as config (/dev/zero)" "/dev/zero" "it is a character device, not a regular file" -- \
  run /dev/zero -o "$T/out/run.h5"
fault "check: a directory as config" "$T/bad" "is a directory" -- \
  check "$T/bad"
fault "run: config is a directory" "$T/bad/a_directory.h5" "it is a directory" -- \
  run "$T/bad/a_directory.h5" -o "$T/out/run.h5"
fault "run: output is /dev/full" "cannot write '/dev/full'" "character device" -- \
  run "$CONFIG" "${FAST[@]}" -o /dev/full
fault "run: output is a directory" "$T/bad/a_directory.h5" "is a directory" -- \
  run "$CONFIG" "${FAST[@]}" -o "$T/bad/a_directory.h5"
fault "run: output under a regular file" "$T/bad/plain_file/run.h5" "cannot create its directory" -- \
  run "$CONFIG" "${FAST[@]}" -o "$T/bad/plain_file/run.h5"
if [ $RO -eq 1 ]; then
  fault "run: output over a file in a $RO_KIND" "cannot write '$T/ro/run.h5'" "$RO_REASON" -- \
    run "$CONFIG" "${FAST[@]}" -o "$T/ro/run.h5"
  fault "run: new directory in a $RO_KIND" "$T/ro/new/run.h5" "$RO_REASON" -- \
    run "$CONFIG" "${FAST[@]}" -o "$T/ro/new/run.h5"
fi
if [ $TINY -eq 1 ]; then
  fault "run: file system too small (64 KiB tmpfs)" "cannot write '$T/tiny/run.h5'" "needs up to" "statvfs" \
    "--ignore-limits proceeds anyway" -- run "$CONFIG" "${FAST[@]}" -o "$T/tiny/run.h5"
  # The 248 kB file does not fit either: past the warning, the write fails like any full disk.
  fault "run --ignore-limits: file system too small" "warning: may not fit in '$T/tiny/run.h5'" \
    "proceeding as --ignore-limits asks" "in '$T/tiny/run.h5'" "No space left on device" -- \
    run "$CONFIG" "${FAST[@]}" -o "$T/tiny/run.h5" --ignore-limits
else
  skip "run: tiny file system"
fi
fault "run: file-size limit (ulimit -f 16)" "cannot write '$T/out/run.h5'" "RLIMIT_FSIZE" "--ignore-limits proceeds anyway" -- \
  sh: "trap '' XFSZ; ulimit -f 16; exec '$CITSIM' run '$CONFIG' --set model.level=0d --set protocol.series.count=1 --set protocol.end_days=30 -o '$T/out/run.h5'"
fault "run: 3D grid beyond the memory" "key 'numerics.dx' = 1e-05" "of memory" "available" "--ignore-limits proceeds anyway" -- \
  run "$CONFIG" --set model.level=3d --set numerics.dx=1e-5 -o "$T/out/run.h5"
if ldd "$CITSIM" 2>/dev/null | grep -q libasan; then
  skip "run: address-space limit (AddressSanitizer reserves terabytes of address space)"
else
  fault "run: address-space limit (ulimit -v)" "key 'numerics.dx'" "RLIMIT_AS" -- \
    sh: "ulimit -v 4000000; exec '$CITSIM' run '$CONFIG' --set model.level=3d --set numerics.dx=0.004 -o '$T/out/run.h5'"
fi
fault "run: record cadence beyond the memory" "key 'output.dt' = 1e-10" -- \
  run "$CONFIG" "${FAST[@]}" --set output.dt=1e-10 -o "$T/out/run.h5"
fault "run: needle longer than the domain" "key 'protocol.series.needle.needle_length' = 4.5" "beyond the domain bottom" -- \
  run "$CONFIG" --set protocol.series.needle.needle_length=4.5 -o "$T/out/run.h5"
fault "run: channels closer than the needle" "key 'protocol.series.needle.density' = 3000" "channels would overlap" -- \
  run "$CONFIG" --set protocol.series.needle.density=3000 -o "$T/out/run.h5"
fault "run: zero grid spacing" "key 'numerics.dz' = 0" -- \
  run "$CONFIG" --set numerics.dz=0 -o "$T/out/run.h5"
fault "run: negative session time" "key 'protocol.series.first_day' = -3" -- \
  run "$CONFIG" --set protocol.series.first_day=-3 -o "$T/out/run.h5"
fault "check: 3D grid beyond the memory" "key 'numerics.dx'" "of memory" "--ignore-limits proceeds anyway" -- \
  check "$CONFIG" --set model.level=3d --set numerics.dx=1e-5
# The file bound of this run is 511 kB, the file 248 kB: under a 400 KiB limit it is refused, and
# with the flag it is written.
mkdir -p "$T/ok"
proceeds "run --ignore-limits: a file-size limit below the bound, above the file (ulimit -f 400)" "$T/ok/run.h5" \
  "may not fit in '$T/ok/run.h5'" "RLIMIT_FSIZE" "proceeding as --ignore-limits asks" -- \
  sh: "trap '' XFSZ; ulimit -f 400; exec '$CITSIM' run '$CONFIG' --set model.level=0d --set protocol.series.count=1 --set protocol.end_days=30 -o '$T/ok/run.h5' --ignore-limits"
FAULTS=$((FAULTS + 1))
"$CITSIM" check "$CONFIG" --set model.level=3d --set numerics.dx=1e-5 --ignore-limits >"$T/last.out" 2>"$T/last.err" </dev/null
RC=$?
if [ $RC -eq 0 ] && grep -q "^warning: .*key 'numerics.dx' = 1e-05: .*of memory.*proceeding as --ignore-limits asks" "$T/last.err" \
    && [ "$(tail -n 1 "$T/last.out")" = "ok" ]; then
  pass "check --ignore-limits: the memory refusal becomes a warning, then ok"
else
  fail "check --ignore-limits: exit $RC" "stdout: $(cat "$T/last.out")" "stderr: $(cat "$T/last.err")"
fi

# ------------------------------------------------------------------------------------------------
# citsim report

fault "report: missing run file" "$T/bad/missing.h5" -- \
  report "$T/bad/missing.h5" -o "$T/good/page.html"
fault "report: truncated run file" "$T/bad/truncated_run.h5" -- \
  report "$T/bad/truncated_run.h5" -o "$T/good/page.html"
fault "report: text file as run file" "$T/bad/text.h5" "not an HDF5 file" -- \
  report "$T/bad/text.h5" -o "$T/good/page.html"
fault "report: sweep file as run file" "$S0" -- \
  report "$S0" -o "$T/good/page.html"
fault "report: output is /dev/full" "cannot write '/dev/full'" -- \
  report "$T/good/run.h5" -o /dev/full
if [ $RO -eq 1 ]; then
  fault "report: output in a $RO_KIND" "cannot write '$T/ro/page.html'" "$RO_REASON" -- \
    report "$T/good/run.h5" -o "$T/ro/page.html"
fi
fault "report: file-size limit during the write (ulimit -f 8)" "cannot write '$T/good/page.html'" "File too large" -- \
  sh: "trap '' XFSZ; ulimit -f 8; exec '$CITSIM' report '$T/good/run.h5' -o '$T/good/page.html'"
if [ $TINY -eq 1 ]; then
  fault "report: full file system during the write" "cannot write '$T/tiny/page.html'" "No space left on device" -- \
    report "$T/good/run.h5" -o "$T/tiny/page.html"
fi

# ------------------------------------------------------------------------------------------------
# citsim merge

# Damaged files that crash libhdf5 itself (tests/fuzz/libhdf5/): the work runs in a child, so the
# crash is a message and exit 2. ASan would report the SEGV or SIGBUS itself; let the child die of it.
CRASH_RUN="$SRC/tests/fuzz/libhdf5/run_file_bytes-H5G__link_release_table.h5"
CRASH_SHARD="$SRC/tests/fuzz/libhdf5/sweep_file_bytes-H5HG_read.h5"
fault "report: a run file that crashes libhdf5" "$CRASH_RUN" "crashed the HDF5 library" -- \
  sh: "ASAN_OPTIONS=\"\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0\" '$CITSIM' report '$CRASH_RUN' -o '$T/good/page.html'"
fault "merge: a shard that crashes libhdf5" "$CRASH_SHARD" "crashed the HDF5 library" -- \
  sh: "ASAN_OPTIONS=\"\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0\" '$CITSIM' merge '$CRASH_SHARD' -o '$T/good/merged.h5'"
fault "merge: missing shard" "$T/bad/missing.h5" -- \
  merge "$S0" "$T/bad/missing.h5" -o "$T/good/merged.h5"
fault "merge: truncated shard" "$T/bad/truncated_shard.h5" -- \
  merge "$S0" "$T/bad/truncated_shard.h5" -o "$T/good/merged.h5"
fault "merge: text file as shard" "$T/bad/text.h5" -- \
  merge "$S0" "$T/bad/text.h5" -o "$T/good/merged.h5"
fault "merge: empty file as shard" "$T/bad/empty.toml.h5" -- \
  merge "$S0" "$T/bad/empty.toml.h5" -o "$T/good/merged.h5"
fault "merge: run file as shard" "$T/good/run.h5" "not a citsim sweep file" -- \
  merge "$S0" "$T/good/run.h5" -o "$T/good/merged.h5"
fault "merge: shard of another sweep" "$O1" "is not part of this sweep" -- \
  merge "$S0" "$O1" -o "$T/good/merged.h5"
fault "merge: a shard missing" "missing shard(s) 1" -- \
  merge "$S0" -o "$T/good/merged.h5"
fault "merge: output is /dev/full" "cannot write '/dev/full'" -- \
  merge "$S0" "$S1" -o /dev/full
if [ $RO -eq 1 ]; then
  fault "merge: output in a $RO_KIND" "cannot write '$T/ro/merged.h5'" "$RO_REASON" -- \
    merge "$S0" "$S1" -o "$T/ro/merged.h5"
fi
if [ $TINY -eq 1 ]; then
  fault "merge: file system too small" "cannot write '$T/tiny/merged.h5'" "needs up to" "--ignore-limits proceeds anyway" -- \
    merge "$S0" "$S1" -o "$T/tiny/merged.h5"
  # The bound is 1.06 MB, the merged file 49 kB: it fits. Removed after, to give the space back.
  proceeds "merge --ignore-limits: file system below the bound, above the file" "$T/tiny/merged.h5" \
    "may not fit in '$T/tiny/merged.h5'" "statvfs" "proceeding as --ignore-limits asks" -- \
    merge "$S0" "$S1" -o "$T/tiny/merged.h5" --ignore-limits
  rm -f "$T/tiny/merged.h5"
fi

# ------------------------------------------------------------------------------------------------
# citsim sweep

fault "sweep: missing spec" "$T/bad/missing.toml" -- \
  sweep "$T/bad/missing.toml" -o "$T/out/sweep.h5"
fault "sweep: truncated spec" "$T/bad/truncated_spec.toml" -- \
  sweep "$T/bad/truncated_spec.toml" -o "$T/out/sweep.h5"
sed 's/kind = "grid"/kind = "latin_hypercube"\nruns = 2000000000/; s/values = \[1.0, 1.5\]/range = [1.0, 1.5]/' \
  "$T/good/spec.toml" >"$T/bad/huge_spec.toml"
if ldd "$CITSIM" 2>/dev/null | grep -q libasan; then
  skip "sweep: design beyond the memory (AddressSanitizer and ulimit -v do not mix)"
else
  # Under an 8 GB address-space limit, so that a regression fails here instead of exhausting the machine.
  fault "sweep: design beyond the memory" "$T/bad/huge_spec.toml" "key 'design.runs' = 2000000000" "of memory" -- \
    sh: "ulimit -v 8000000; exec '$CITSIM' sweep '$T/bad/huge_spec.toml' -o '$T/out/huge.h5' -j 1"
fi
fault "sweep: output is /dev/full" "/dev/full" -- \
  sweep "$T/good/spec.toml" -o /dev/full
fault "sweep: output is /dev/full, --restart" "/dev/full" -- \
  sweep "$T/good/spec.toml" -o /dev/full --restart
fault "sweep: existing output of another sweep" "$T/good/merged.h5" "holds another sweep" -- \
  sweep "$T/good/other_spec.toml" -o "$T/good/merged.h5"
if [ $RO -eq 1 ]; then
  fault "sweep: output in a $RO_KIND" "$T/ro/new_sweep.h5" "$RO_REASON" -- \
    sweep "$T/good/spec.toml" -o "$T/ro/new_sweep.h5"
fi
if [ $TINY -eq 1 ]; then
  fault "sweep: file system too small" "cannot write '$T/tiny/sweep.h5'" "needs up to" "--ignore-limits proceeds anyway" -- \
    sweep "$T/good/spec.toml" -o "$T/tiny/sweep.h5"
  # The work file (48 kB) fits, the final file beside it does not: the runs are done, the final
  # write fails cleanly, and the work file stays as the sweep's resumable state.
  fault "sweep --ignore-limits: file system too small for the final file" "warning: may not fit in '$T/tiny/sweep.h5'" \
    "proceeding as --ignore-limits asks" "No space left on device" -- \
    sweep "$T/good/spec.toml" -o "$T/tiny/sweep.h5" --ignore-limits
  FAULTS=$((FAULTS + 1))
  if [ -f "$T/tiny/sweep.h5.partial" ] && [ ! -e "$T/tiny/sweep.h5" ]; then
    pass "sweep --ignore-limits: the work file stays, no final file"
  else
    fail "sweep --ignore-limits: the work file stays, no final file" "$(ls -la "$T/tiny")"
  fi
  rm -f "$T/tiny/sweep.h5.partial"
fi
fault "sweep: file-size limit (ulimit -f 64)" "cannot write '$T/out/sweep.h5'" "RLIMIT_FSIZE" "--ignore-limits proceeds anyway" -- \
  sh: "trap '' XFSZ; ulimit -f 64; exec '$CITSIM' sweep '$T/good/spec.toml' -o '$T/out/sweep.h5' -j 1"
proceeds "sweep --ignore-limits: a file-size limit below the bound, above each file (ulimit -f 64)" "$T/ok/sweep.h5" \
  "may not fit in '$T/ok/sweep.h5'" "RLIMIT_FSIZE" "proceeding as --ignore-limits asks" -- \
  sh: "trap '' XFSZ; ulimit -f 64; exec '$CITSIM' sweep '$T/good/spec.toml' -o '$T/ok/sweep.h5' -j 1 --ignore-limits"

# ------------------------------------------------------------------------------------------------
# citsim sensitivity

fault "sensitivity: missing config" "$T/bad/missing.toml" -- \
  sensitivity "$T/bad/missing.toml" --param k_tx -o "$T/out/sens.h5"
fault "sensitivity: truncated config" "$T/bad/truncated.toml" -- \
  sensitivity "$T/bad/truncated.toml" --param k_tx -o "$T/out/sens.h5"
fault "sensitivity: output is /dev/full" "cannot write '/dev/full'" -- \
  sensitivity "$CONFIG" "${FAST[@]}" --param k_tx -o /dev/full
if [ $RO -eq 1 ]; then
  fault "sensitivity: output in a $RO_KIND" "cannot write '$T/ro/sens.h5'" "$RO_REASON" -- \
    sensitivity "$CONFIG" "${FAST[@]}" --param k_tx -o "$T/ro/sens.h5"
fi
fault "sensitivity: file-size limit during the write (ulimit -f 4)" "$T/out/sens.h5" -- \
  sh: "trap '' XFSZ; ulimit -f 4; exec '$CITSIM' sensitivity '$CONFIG' --set model.level=0d --set protocol.series.count=1 --set protocol.end_days=30 --param k_tx -j 1 -o '$T/out/sens.h5'"

# ------------------------------------------------------------------------------------------------
# citsim calibrate: the table is checked writable before the (long) fit.

fault "calibrate: missing targets" "$T/bad/missing.toml" -- \
  calibrate --targets "$T/bad/missing.toml" -o "$T/out/parameters.toml"
fault "calibrate: truncated targets" "$T/bad/truncated_targets.toml" -- \
  calibrate --targets "$T/bad/truncated_targets.toml" -o "$T/out/parameters.toml"
fault "calibrate: output is /dev/full" "cannot write '/dev/full'" -- \
  calibrate --targets "$SRC/configs/validation/targets.toml" -o /dev/full
if [ $RO -eq 1 ]; then
  fault "calibrate: output in a $RO_KIND" "cannot write '$T/ro/parameters.toml'" "$RO_REASON" -- \
    calibrate --targets "$SRC/configs/validation/targets.toml" -o "$T/ro/parameters.toml"
fi

# ------------------------------------------------------------------------------------------------
# Hostile inputs: structures the parser cannot take, numbers out of every range. Refused before
# anything is created.

fault "run: a dotted key of 50 000 parts (stack overflow in the TOML parser)" \
  "dotted_key_50000_parts.toml:2: nests deeper than 64 levels" "at most 64 are allowed" -- \
  run "$SRC/tests/fuzz/regressions/config/dotted_key_50000_parts.toml" -o "$T/out/run.h5"
fault "sweep: a table header of 50 000 parts" "table_header_50000_parts.toml:2: nests deeper than 64 levels" -- \
  sweep "$SRC/tests/fuzz/regressions/sweep_spec/table_header_50000_parts.toml" -o "$T/out/sweep.h5"

# Values inside the old ranges that gave NaN readouts with exit 0 (and "ok" runs in a sweep), and
# a parameter table's NaN that passed its range check.
fault "run: tissue.C_reticular = 0 at 0D" "key 'tissue.C_reticular' = 0.0" "must be a number in [1, 399] mg/cm^3" -- \
  run "$CONFIG" "${FAST[@]}" --set tissue.C_reticular=0.0 -o "$T/out/run.h5"
fault "run: tissue.E_reticular = 0 at 0D" "key 'tissue.E_reticular' = 0.0" "[0.1, 100]" -- \
  run "$CONFIG" "${FAST[@]}" --set tissue.E_reticular=0.0 -o "$T/out/run.h5"
sed "s|values = \[1.0, 1.5\]|values = [230.0, 0.0]|; s|key = \"needle_length\"|key = \"C_reticular\"|" "$T/good/spec.toml" \
  >"$T/bad/zero_collagen_sweep.toml"
fault "sweep: an axis through C_reticular = 0" "key 'axis[0]' = tissue.C_reticular = 0.0" "[1, 399]" -- \
  sweep "$T/bad/zero_collagen_sweep.toml" -o "$T/out/sweep.h5"
printf '[sigma_T]\nvalue = nan\nunit = "-"\nsource = "hostile"\n' >"$T/bad/nan_table.toml"
fault "run: a parameter table with value = nan" "nan_table.toml:1: key 'sigma_T.value' = nan" "[2, 30]" -- \
  run "$CONFIG" "${FAST[@]}" --set "model.parameter_file=$T/bad/nan_table.toml" -o "$T/out/run.h5"

# Counts beyond what a sweep file records: accepted, then its own work file was refused as damaged
# and left behind.
fault "sweep --shard 0/3000000000" "--shard: = 0/3000000000" "0 <= i < N <= 2147483648" -- \
  sweep "$T/good/spec.toml" -o "$T/out/sweep.h5" --shard 0/3000000000
fault "sweep: SLURM_ARRAY_TASK_COUNT=3000000000" "SLURM array task 0" "more shards than a sweep can have" "2^31" -- \
  sh: "SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2999999999 SLURM_ARRAY_TASK_STEP=1 SLURM_ARRAY_TASK_COUNT=3000000000 exec '$CITSIM' sweep '$T/good/spec.toml' -o '$T/out/sweep.h5'"
fault "sweep: CITSIM_SHARDS=3000000000" "CITSIM_SHARDS=3000000000" "2^31" -- \
  sh: "SLURM_ARRAY_TASK_ID=0 CITSIM_SHARDS=3000000000 exec '$CITSIM' sweep '$T/good/spec.toml' -o '$T/out/sweep.h5'"

# Thread counts: one bound for -j and OMP_NUM_THREADS (4 per hardware thread). -j 100000 crashed
# OpenMP in a 2D run and aborted a sweep, leaving its .partial; -j -1 printed a 300-digit bound.
fault "run -j -1" "--threads: -1 is not allowed" "per hardware thread" "or 0 to choose automatically" -- \
  run "$CONFIG" "${FAST[@]}" -j -1 -o "$T/out/run.h5"
if grep -q 1797693 "$T/last.err"; then fail "run -j -1: the message prints a 300-digit bound" "$(cat "$T/last.err")"; fi
fault "run -j 100000 in 2D" "--threads: 100000 is not allowed" -- \
  run "$CONFIG" --set model.level=2d --set protocol.series.count=1 --set protocol.end_days=2 -j 100000 -o "$T/out/run.h5"
fault "sweep -j 100000" "--threads: 100000 is not allowed" -- \
  sweep "$T/good/spec.toml" -o "$T/out/sweep.h5" -j 100000
fault "run: OMP_NUM_THREADS=100000" "OMP_NUM_THREADS: = 100000" "per hardware thread" -- \
  sh: "OMP_NUM_THREADS=100000 exec '$CITSIM' run '$CONFIG' --set model.level=2d --set protocol.series.count=1 --set protocol.end_days=2 -o '$T/out/run.h5'"
if ldd "$CITSIM" 2>/dev/null | grep -q libasan; then
  skip "sweep: threads that cannot start (AddressSanitizer reserves terabytes of address space)"
else
  # 2 GB thread stacks in a 4 GB address space: the second thread cannot start. The work file the
  # sweep had just created holds no run and goes too.
  fault "sweep: threads that cannot start (ulimit -s 2 GB, ulimit -v 4 GB)" "--threads: could start only 1 of 2 threads" \
    "smaller -j" -- \
    sh: "ulimit -v 4000000; ulimit -s 2000000; exec '$CITSIM' sweep '$T/good/spec.toml' -o '$T/out/sweep.h5' -j 2"
fi

# Nothing was written where a fault was injected.
FAULTS=$((FAULTS + 1))
if [ -z "$(ls -A "$T/out" 2>/dev/null)" ]; then pass "no output appeared"; else fail "outputs appeared" "$(ls -A "$T/out")"; fi

echo "faults injected: $FAULTS; passed $PASSED, failed $FAILED, skipped $SKIPPED"
[ "$FAILED" -eq 0 ]
