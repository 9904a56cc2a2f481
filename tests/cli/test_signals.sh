#!/usr/bin/env bash
# Signals and numerical failures as a user meets them (docs/reliability.md).
#
#   bash tests/cli/test_signals.sh <citsim-binary> <source-dir> <with-mpi: ON|OFF> [seed]
#
# 1. SIGINT / SIGTERM during run, calibrate, sensitivity: exit 130 / 143, one line on stderr, no
#    temporary file, an existing output of the same name untouched; the same signal twice in a row
#    is one request.
# 2. A sweep stopped again and again at seeded random moments (SIGTERM, SIGINT and SIGKILL mixed,
#    at least 10 kills), then run to the end: bit-identical to an uninterrupted sweep, no run
#    lost; each graceful stop says "N of M runs done" and N never falls. Under mpirun (builds with
#    MPI) a SIGTERM to mpirun leaves a sweep that resumes to the same result.
# 3. NaN/negative states and step-size collapses from configs a user can write: exit 3 with time,
#    level, place and species; in a sweep the failing run alone is recorded (status 2, message,
#    NaN outcomes), the others finish, the sweep exits 4 and xarray opens the file.
# 4. Every signal that ends a process by default, sent while a run writes its file (the process
#    held there with SIGSTOP): a request to stop (SIGHUP ... the real-time signals) lets the write
#    finish and exits 128 + its number; SIGPIPE and the crash signals remove the temporary and end
#    the process; no temporary is left in any case. Two signals: the same one again within a few
#    ms (as timeout(1) sends it) is one request; a later or another one ends the process at once,
#    with the temporary removed. A file-size limit without `trap '' XFSZ` is a clean error.
# 5. `report` and `merge` work in a child process: after SIGKILL or SIGHUP of the parent the
#    child ends and never writes the output.
# 6. A named pipe without a writer as config: refused at once, never waited for.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # CITSIM, SRC, CONFIG, T, pass/fail, report_totals

test_arguments 3 4 "<citsim-binary> <source-dir> <with-mpi: ON|OFF> [seed]" "$@"
WITH_MPI=$3
SEED=${4:-20261201}
PY=/usr/bin/python3
make_test_dir citsim_signals
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# What is checked here is how commands end, not the 1D model: the default config with the
# mean-field column (seven times cheaper than the default closure; other levels ignore it) keeps
# the runs, sweeps and sensitivity analyses short under the sanitizers.
sed '/^dt_max = /a closure = "mean-field"' "$CONFIG" >"$T/default.toml"
grep -q '^closure = "mean-field"' "$T/default.toml" || { echo "setup: no [numerics] dt_max line in $CONFIG" >&2; exit 1; }
CONFIG="$T/default.toml"

check() {  # check WHAT CONDITION-EXIT-CODE [DETAIL...]
  local what=$1 ok=$2
  shift 2
  if [ "$ok" -eq 0 ]; then pass "$what"; else fail "$what" "$@"; fi
}

# start NAME CMD...: runs CMD in the background (stdin closed), output in $T/NAME.{out,err}.
PID=0
start() {
  local name=$1
  shift
  "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null &
  PID=$!
}
# finish: waits for the last started process; RC its exit code, SECONDS_TO_EXIT since called.
RC=0
finish() {
  local t0
  t0=$(date +%s.%N)
  { wait "$PID"; } 2>/dev/null  # no "Killed" job notice
  RC=$?
  SECONDS_TO_EXIT=$(echo "$(date +%s.%N) - $t0" | bc)
}
# wait_for_file FILE SECONDS: until FILE exists (a process has got that far).
wait_for_file() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    [ -e "$1" ] && return 0
    sleep 0.05
  done
  return 1
}
lines() { grep -c '' "$1"; }

# --- 1. One process, one signal -----------------------------------------------------------------
# A 2D year runs for minutes: the signal always comes mid-integration.
for sig in INT TERM; do
  code=$([ $sig = INT ] && echo 130 || echo 143)
  d="$T/run_$sig"
  mkdir -p "$d"
  echo "an earlier result" >"$d/out.h5"
  start "run_$sig" "$CITSIM" run "$CONFIG" --set model.level=2d -o "$d/out.h5"
  sleep 1.5
  kill -s $sig $PID
  finish
  err=$(cat "$T/run_$sig.err")
  check "run, SIG$sig mid-integration: exit $code (took ${SECONDS_TO_EXIT} s after the signal)" \
    $([ $RC -eq $code ] && echo 0 || echo 1) "exit $RC" "$err"
  check "run, SIG$sig: one line on stderr naming the signal and the day" \
    $([ "$(lines "$T/run_$sig.err")" -eq 1 ] && [[ "$err" == "citsim: interrupted by SIG$sig: run interrupted "*"not written" ]] && echo 0 || echo 1) "$err"
  check "run, SIG$sig: the existing output is untouched and nothing else is left" \
    $([ "$(cat "$d/out.h5")" = "an earlier result" ] && [ "$(ls -A "$d")" = "out.h5" ] && echo 0 || echo 1) "$(ls -A "$d")"
done

# Two SIGINTs in a row (within 0.1 s: one request, as timeout(1) or a double key press sends it).
d="$T/run_twice"
mkdir -p "$d"
start run_twice "$CITSIM" run "$CONFIG" --set model.level=2d -o "$d/out.h5"
sleep 1.5
kill -s INT $PID
kill -s INT $PID
finish
check "run, two SIGINTs: exit 130 (took ${SECONDS_TO_EXIT} s)" $([ $RC -eq 130 ] && echo 0 || echo 1) "exit $RC" "$(cat "$T/run_twice.err")"
check "run, two SIGINTs: no output file" $([ -z "$(ls -A "$d")" ] && echo 0 || echo 1) "$(ls -A "$d")"

# calibrate polls between loss evaluations, sensitivity inside every run.
d="$T/calibrate"
mkdir -p "$d"
echo "# an earlier table" >"$d/p.toml"
start calibrate "$CITSIM" calibrate --targets "$SRC/configs/validation/targets.toml" --max-evals 50 -o "$d/p.toml"
sleep 2
kill -s TERM $PID
finish
check "calibrate, SIGTERM: exit 143, one line, the earlier table untouched, no temporary file" \
  $([ $RC -eq 143 ] && [ "$(lines "$T/calibrate.err")" -eq 1 ] && grep -q "interrupted by SIGTERM: calibration interrupted" "$T/calibrate.err" &&
    [ "$(cat "$d/p.toml")" = "# an earlier table" ] && [ "$(ls -A "$d")" = "p.toml" ] && echo 0 || echo 1) \
  "exit $RC" "$(cat "$T/calibrate.err")" "$(ls -A "$d")"

# Later, inside the optimiser (NLopt turns the exception into its own failure): the same.
d="$T/calibrate_late"
mkdir -p "$d"
start calibrate_late "$CITSIM" calibrate --targets "$SRC/configs/validation/targets.toml" --max-evals 50 -o "$d/p.toml" -q
sleep 6
kill -s INT $PID
finish
check "calibrate, SIGINT after 6 s: exit 130, 'calibration interrupted', nothing written" \
  $([ $RC -eq 130 ] && [ "$(lines "$T/calibrate_late.err")" -eq 1 ] &&
    grep -q "interrupted by SIGINT: calibration interrupted; the parameter table was not written" "$T/calibrate_late.err" &&
    [ -z "$(ls -A "$d")" ] && echo 0 || echo 1) "exit $RC" "$(cat "$T/calibrate_late.err")" "$(ls -A "$d")"

d="$T/sensitivity"
mkdir -p "$d"
start sensitivity "$CITSIM" sensitivity "$CONFIG" -o "$d/s.h5" -j 2 -q
sleep 2
kill -s INT $PID
finish
check "sensitivity, SIGINT: exit 130 within seconds (${SECONDS_TO_EXIT} s), one line, nothing written" \
  $([ $RC -eq 130 ] && [ "$(lines "$T/sensitivity.err")" -eq 1 ] && grep -q "interrupted by SIGINT: .* interrupted .*; nothing written$" "$T/sensitivity.err" &&
    [ -z "$(ls -A "$d")" ] && echo 0 || echo 1) "exit $RC" "$(cat "$T/sensitivity.err")" "$(ls -A "$d")"

# --- 2. A sweep killed again and again ----------------------------------------------------------
long_grid_spec "$CONFIG" '"firmness_gain", "collagen_induction"' >"$T/spec.toml"
ref_start=$(date +%s%N)
"$CITSIM" sweep "$T/spec.toml" -o "$T/reference.h5" -j 2 -q
check "the uninterrupted reference sweep runs" $?
# The kill delays scale with how long the whole sweep takes here (a quiet machine finishes it in
# about a second, a loaded one in many): between 5 % and 40 % of it, at least 0.15 s.
ref_ms=$(( ($(date +%s%N) - ref_start) / 1000000 ))

# finished PARTIAL: runs the work file marks done, read as an SWMR reader (-1: does not open).
finished() {
  $PY - "$1" <<'EOF'
import sys, h5py, numpy as np
try:
    with h5py.File(sys.argv[1], "r", libver="latest", swmr=True) as f:
        print(int(np.count_nonzero(f["/sweep/status"][...])))
except OSError:
    print(-1)
EOF
}
# same_sweep A B: every dataset of the sweep bit for bit (wall_seconds aside), every run once, ok.
same_sweep() {
  $PY - "$1" "$2" <<'EOF'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
names = []
a["sweep"].visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
def same(x, y):
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    if x.dtype.kind == "O":  # variable-length strings: compare the values, not the pointers
        return x[...].tolist() == y[...].tolist()
    return x[...].tobytes() == y[...].tobytes()
bad = [n for n in names if n != "wall_seconds" and (n not in b["sweep"] or not same(a["sweep"][n], b["sweep"][n]))]
runs = b["/sweep/run"][...]
status = b["/sweep/status"][...]
if bad or not np.array_equal(runs, np.arange(len(runs))) or not np.all(status == 1):
    print("differ:", bad, "status", status)
    sys.exit(1)
print(f"{len(names) - 1} datasets identical, {len(runs)} runs")
EOF
}

RANDOM=$SEED
kills=0
graceful=0
last_done=0
monotone=0
attempt=0
KILLED="$T/killed.h5"
while [ ! -e "$KILLED" ] && [ $attempt -lt 60 ]; do
  attempt=$((attempt + 1))
  sigs=(TERM INT KILL)
  sig=${sigs[$((RANDOM % 3))]}
  delay_ms=$(( ref_ms * (5 + RANDOM % 36) / 100 ))
  [ $delay_ms -ge 150 ] || delay_ms=150
  delay=$(printf "%d.%03d" $((delay_ms / 1000)) $((delay_ms % 1000)))
  start sweep "$CITSIM" sweep "$T/spec.toml" -o "$KILLED" -j 2 -q
  if [ $kills -ge 12 ]; then  # enough: let it finish
    finish
    continue
  fi
  sleep "$delay"
  kill -s $sig $PID 2>/dev/null
  finish
  if [ -e "$KILLED" ]; then  # finished before the signal: start it again until enough kills
    if [ $kills -ge 10 ]; then break; fi
    rm -f "$KILLED"; last_done=0
    continue
  fi
  kills=$((kills + 1))
  now=$(finished "$KILLED.partial")
  [ "$now" -ge "$last_done" ] || monotone=1
  if [ $sig = KILL ]; then
    [ $RC -eq 137 ] || fail "kill $kills (SIGKILL after $delay s): exit $RC"
  else
    code=$([ $sig = INT ] && echo 130 || echo 143)
    err=$(cat "$T/sweep.err")
    if [ $RC -eq $code ] && [ ! -s "$T/sweep.err" ]; then
      :  # the signal came before citsim installed its handler (slow start): killed like SIGKILL
    else
      graceful=$((graceful + 1))
      if ! { [ $RC -eq $code ] && [ "$(lines "$T/sweep.err")" -eq 1 ] &&
             [[ "$err" == "citsim: interrupted by SIG$sig: $now of 30 runs done ("*"); run the same command to resume" ]]; }; then
        fail "kill $kills (SIG$sig after $delay s): exit $code and 'N of M runs done' matching the file ($now)" "exit $RC" "$err"
      fi
    fi
  fi
  last_done=$now
done
[ -e "$KILLED" ] || { "$CITSIM" sweep "$T/spec.toml" -o "$KILLED" -j 2 -q; }
check "the sweep was stopped $kills times ($graceful by SIGINT/SIGTERM), seed $SEED" $([ $kills -ge 10 ] && [ $graceful -ge 3 ] && echo 0 || echo 1)
check "finished runs never went missing between kills" $monotone
check "no work file is left once the sweep is complete" $([ ! -e "$KILLED.partial" ] && echo 0 || echo 1)
msg=$(same_sweep "$T/reference.h5" "$KILLED")
check "stopped and resumed: bit-identical to the uninterrupted sweep ($msg)" $? "$msg"

if [ "$WITH_MPI" = ON ]; then
  MPI_OUT="$T/mpi.h5"
  start mpi mpirun --oversubscribe -n 2 "$CITSIM" sweep "$T/spec.toml" -o "$MPI_OUT" -q
  wait_for_file "$MPI_OUT.partial" 60
  sleep 1
  kill -s TERM $PID
  finish
  n=$(finished "$MPI_OUT.partial")
  if [ -e "$MPI_OUT" ]; then
    pass "mpirun finished before the SIGTERM (nothing to resume)"
  else
    check "mpirun -n 2, SIGTERM to mpirun (exit $RC): the work file opens ($n runs done)" $([ "$n" -ge 0 ] && echo 0 || echo 1)
  fi
  # As scancel does: the signal goes to the ranks themselves; each stops cleanly.
  if [ ! -e "$MPI_OUT" ]; then
    start mpi mpirun --oversubscribe -n 2 "$CITSIM" sweep "$T/spec.toml" -o "$MPI_OUT" -q
    sleep 1.5
    ranks=$(pgrep -P $PID)
    kill -s TERM $ranks 2>/dev/null
    finish
    n=$(finished "$MPI_OUT.partial")
    if [ -e "$MPI_OUT" ]; then
      pass "the resumed MPI sweep finished before the SIGTERM"
    else
      check "mpirun -n 2, SIGTERM to both ranks: exit 143, rank 0 says '$n of 30 runs done'" \
        $([ $RC -eq 143 ] && grep -q "interrupted by SIGTERM: $n of 30 runs done (" "$T/mpi.err" && echo 0 || echo 1) \
        "exit $RC" "$(grep citsim "$T/mpi.err")"
    fi
  fi
  mpirun --oversubscribe -n 2 "$CITSIM" sweep "$T/spec.toml" -o "$MPI_OUT" -q
  msg=$(same_sweep "$T/reference.h5" "$MPI_OUT")
  check "and resumed under mpirun: bit-identical to the uninterrupted sweep ($msg)" $? "$msg"
fi

# --- 3. Numerical failures ----------------------------------------------------------------------
# An absolute tolerance of 1e-300 leaves no room for round-off below zero: with a loose rtol the
# state goes negative (1D, 2D); with rtol 1e-16 too no step can meet it (step-size collapse).
SHORT=(--set protocol.series.count=1 --set protocol.end_days=60)
LOOSE=(--set numerics.rtol=0.1 --set numerics.atol=1e-300 "${SHORT[@]}")
TIGHT=(--set numerics.rtol=1e-16 --set numerics.atol=1e-300 "${SHORT[@]}")
mkdir -p "$T/num"
"$CITSIM" run "$CONFIG" --set model.level=1d "${LOOSE[@]}" -o "$T/num/neg.h5" -q 2>"$T/neg.err"
RC=$?
err=$(cat "$T/neg.err")
check "negative state (1D): exit 3 with time, level, compartment, depth and species; nothing written" \
  $([ $RC -eq 3 ] && [[ "$err" == "error: numerical failure at t = "*" day, level 1d, "*"z = "*" mm (cell "*"): species "*" = -"* ]] &&
    [ -z "$(ls -A "$T/num")" ] && echo 0 || echo 1) "exit $RC" "$err"
# In 2D the first session's debris decays without undershooting; the second's does not.
"$CITSIM" run "$CONFIG" --set model.level=2d --set numerics.dx=0.2 --set numerics.dz=0.1 "${LOOSE[@]}" \
  --set protocol.series.count=2 --set protocol.end_days=90 -o "$T/num/neg2.h5" -q 2>"$T/neg2.err"
RC=$?
err=$(cat "$T/neg2.err")
check "negative state (2D): exit 3 with time, level, x, depth and species" \
  $([ $RC -eq 3 ] && [[ "$err" == "error: numerical failure at t = "*" day, level 2d, x = "*" mm, z = "*" mm (cell "*"): species "* ]] && echo 0 || echo 1) \
  "exit $RC" "$err"
"$CITSIM" run "$CONFIG" --set model.level=1d "${TIGHT[@]}" -o "$T/num/collapse.h5" -q 2>"$T/collapse.err"
RC=$?
err=$(cat "$T/collapse.err")
check "step-size collapse (1D): exit 3 with step, time, species, level and depth; nothing written" \
  $([ $RC -eq 3 ] && [[ "$err" == "error: kinetics step size collapsed to "*" day at t = "*" day, species "*"(level 1d, "*"z = "*" mm, cell "*")" ]] &&
    [ -z "$(ls -A "$T/num")" ] && echo 0 || echo 1) "exit $RC" "$err"

cat >"$T/failing.toml" <<EOF
base = "$CONFIG"
set = ["numerics.rtol=0.1", "protocol.series.count=1", "protocol.end_days=60"]
[[axis]]
key = "numerics.atol"
values = [1e-7, 1e-300, 1e-6]
EOF
"$CITSIM" sweep "$T/failing.toml" -o "$T/failing.h5" -j 2 >"$T/failing.out" 2>"$T/failing.err"
RC=$?
check "a sweep with a numerically failing run: exit 4, the failure reported" \
  $([ $RC -eq 4 ] && grep -q "1 run(s) failed" "$T/failing.err" && echo 0 || echo 1) "exit $RC" "$(cat "$T/failing.err")"
$PY - "$T/failing.h5" <<'EOF'
import sys, h5py, numpy as np, xarray as xr
with h5py.File(sys.argv[1], "r") as f:
    status = list(f["/sweep/status"][...])
    msg = [m.decode() if isinstance(m, bytes) else m for m in f["/sweep/message"][...]]
    out = f["/sweep/outcomes"][...]
ok = (status == [1, 2, 1] and "numerical failure at t = " in msg[1] and "species" in msg[1]
      and msg[0] == msg[2] == "" and np.all(np.isnan(out[1])) and np.all(np.isfinite(out[[0, 2]])))
ds = xr.open_dataset(sys.argv[1], group="sweep", engine="netcdf4")
ok = ok and ds["status"].values.tolist() == [1, 2, 1] and "numerical failure" in str(ds["message"].values[1])
print(status, msg[1][:90])
sys.exit(0 if ok else 1)
EOF
check "only the failing run is failed (status 2, message, NaN outcomes), the others finished; xarray opens it" $?
"$CITSIM" sweep "$T/failing.toml" -o "$T/failing.h5" -j 2 >"$T/failing.out" 2>"$T/failing.err"
RC=$?
check "the complete sweep run again: nothing to do, still exit 4" \
  $([ $RC -eq 4 ] && grep -q "nothing to do" "$T/failing.out" && echo 0 || echo 1) "exit $RC" "$(cat "$T/failing.out" "$T/failing.err")"

# --- 4. Every signal during a write --------------------------------------------------------------
# A 0D run with a record every 0.0003 day writes a 64 MB file: long enough (~0.1 s) to catch.
ulimit -c 0  # the crash signals dump no core here
WRITE=(--set model.level=0d --set protocol.series.count=1 --set protocol.end_days=30 --set output.dt=0.0003
       --set output.dense_dt=0.0003)
# stopped_in_write DIR: runs citsim into DIR/out.h5 and stops it (SIGSTOP) while it writes: its
# file's temporary (the second AtomicFile of the process: the first is the writability probe)
# exists. Returns 1 if the run ended first. Extra environment for citsim: RUN_ENV.
RUN_ENV=()
stopped_in_write() {
  local d=$1 tries f
  for tries in 1 2 3; do
    start write env "${RUN_ENV[@]}" "$CITSIM" run "$CONFIG" "${WRITE[@]}" -o "$d/out.h5" -q
    # `env` execs citsim: the same process id.
    f="$d/out.h5.tmp-$PID-1"
    while kill -0 $PID 2>/dev/null; do
      if [ -e "$f" ]; then
        kill -STOP $PID
        [ -e "$f" ] && return 0
        kill -CONT $PID
      fi
    done
    finish
  done
  return 1
}
# is_hdf5 FILE: whether FILE starts with the HDF5 signature.
is_hdf5() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = "211HDF" ]; }
signo() { kill -l "$1"; }

d="$T/write"
mkdir -p "$d"
for sig in HUP INT QUIT TERM USR1 USR2 ALRM VTALRM PROF XCPU IO PWR STKFLT RTMIN RTMAX; do
  echo "an earlier result" >"$d/out.h5"
  rm -f "$d"/out.h5.tmp-*
  if ! stopped_in_write "$d"; then
    fail "SIG$sig during the write: the write was never caught"
    continue
  fi
  kill -s $sig $PID
  kill -CONT $PID
  finish
  code=$((128 + $(signo $sig)))
  err=$(cat "$T/write.err")
  check "SIG$sig during the write: the file is finished, exit $code, no temporary" \
    $([ $RC -eq $code ] && [[ "$err" == "citsim: interrupted by SIG"*": the signal came after the work was done; its output is complete" ]] &&
      is_hdf5 "$d/out.h5" && [ -z "$(ls "$d" | grep tmp)" ] && echo 0 || echo 1) "exit $RC" "$err" "$(ls "$d")"
done
for sig in PIPE SEGV BUS ILL FPE ABRT TRAP SYS; do
  echo "an earlier result" >"$d/out.h5"
  rm -f "$d"/out.h5.tmp-*
  # A sanitizer build: let citsim's own handlers take the crash signals.
  RUN_ENV=("ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:handle_sigill=0")
  if ! stopped_in_write "$d"; then
    fail "SIG$sig during the write: the write was never caught"
    continue
  fi
  RUN_ENV=()
  kill -s $sig $PID
  kill -CONT $PID
  finish
  code=$((128 + $(signo $sig)))
  check "SIG$sig during the write: ended by it (exit $code), the temporary removed, the earlier file untouched" \
    $([ $RC -eq $code ] && [ "$(cat "$d/out.h5")" = "an earlier result" ] && [ -z "$(ls "$d" | grep tmp)" ] &&
      echo 0 || echo 1) "exit $RC" "$(cat "$T/write.err")" "$(ls "$d")"
done

# delivered PID SIGNAL: waits until SIGNAL, sent to the process, is no longer pending (its
# handler has run), at most 5 s.
delivered() {
  local bit=$((1 << ($(signo "$2") - 1))) mask i
  for ((i = 0; i < 5000; i++)); do
    mask=$(awk '/^ShdPnd:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 0
    [ -n "$mask" ] && (( (16#$mask & bit) == 0 )) && return 0
    sleep 0.001
  done
}
# The same signal twice, a few ms apart (the second once the first was handled): one request; the
# write finishes.
echo "an earlier result" >"$d/out.h5"
if stopped_in_write "$d"; then
  kill -TERM $PID
  kill -CONT $PID
  delivered $PID TERM
  kill -TERM $PID
  finish
  check "SIGTERM twice a few ms apart during the write (as timeout(1) sends it): one request, the file finished, exit 143" \
    $([ $RC -eq 143 ] && grep -q "its output is complete" "$T/write.err" && is_hdf5 "$d/out.h5" &&
      [ -z "$(ls "$d" | grep tmp)" ] && echo 0 || echo 1) "exit $RC" "$(cat "$T/write.err")" "$(ls "$d")"
else
  fail "SIGTERM twice during the write: the write was never caught"
fi
# A second signal later (the clock runs while the process is stopped), or another signal: at once.
for second in TERM INT; do
  echo "an earlier result" >"$d/out.h5"
  if stopped_in_write "$d"; then
    kill -TERM $PID
    kill -CONT $PID
    delivered $PID TERM
    kill -STOP $PID
    sleep 0.3
    kill -s $second $PID
    kill -CONT $PID
    finish
    check "SIGTERM, then SIG$second 0.3 s later during the write: ends at once, exit 143, temporary removed, earlier file untouched" \
      $([ $RC -eq 143 ] && grep -q "second signal, exiting at once (temporary files removed)" "$T/write.err" &&
        [ "$(cat "$d/out.h5")" = "an earlier result" ] && [ -z "$(ls "$d" | grep tmp)" ] && echo 0 || echo 1) \
      "exit $RC" "$(cat "$T/write.err")" "$(ls "$d")"
  else
    fail "SIGTERM then SIG$second during the write: the write was never caught"
  fi
done
echo "an earlier result" >"$d/out.h5"
if stopped_in_write "$d"; then
  kill -HUP $PID
  kill -CONT $PID
  delivered $PID HUP
  kill -TERM $PID
  finish
  check "SIGHUP, then SIGTERM a few ms later during the write: ends at once, exit 129, temporary removed" \
    $([ $RC -eq 129 ] && grep -q "second signal" "$T/write.err" && [ "$(cat "$d/out.h5")" = "an earlier result" ] &&
      [ -z "$(ls "$d" | grep tmp)" ] && echo 0 || echo 1) "exit $RC" "$(cat "$T/write.err")" "$(ls "$d")"
else
  fail "SIGHUP then SIGTERM during the write: the write was never caught"
fi

# A file-size limit is an I/O error, not a signal that ends the process (SIGXFSZ left at its default).
rm -f "$d"/*
bash -c "trap - XFSZ; ulimit -f 64; exec '$CITSIM' run '$CONFIG' ${WRITE[*]} -o '$d/out.h5' -q --ignore-limits" \
  >"$T/xfsz.out" 2>"$T/xfsz.err" </dev/null
RC=$?
check "a file-size limit (ulimit -f, SIGXFSZ not ignored by the caller): exit 2, 'File too large', nothing left" \
  $([ $RC -eq 2 ] && grep -q "^error: .*File too large" "$T/xfsz.err" && [ -z "$(ls -A "$d")" ] && echo 0 || echo 1) \
  "exit $RC" "$(cat "$T/xfsz.err")" "$(ls "$d")"

# --- 5. The worker child of report and merge dies with its parent --------------------------------
d="$T/worker"
mkdir -p "$d"
"$CITSIM" run "$CONFIG" "${WRITE[@]}" -o "$d/big.h5" -q
cat >"$d/spec.toml" <<EOF
base = "$CONFIG"
set = ["model.level=0d", "protocol.series.count=1", "protocol.end_days=100"]
[[axis]]
key = "needle_length"
values = [1.0, 1.5, 2.0, 2.5]
[series]
readouts = ["firmness_gain", "collagen_induction", "R0", "R7"]
dt = 0.0005
EOF
for i in 0 1; do "$CITSIM" sweep "$d/spec.toml" --shard $i/2 -o "$d/s.h5" -q -j 1; done
# worker_dies_with_parent SIGNAL OUTPUT COMMAND...: starts `citsim COMMAND`, holds its worker with
# SIGSTOP, sends SIGNAL to the parent, then lets the worker go: on its own it would write OUTPUT.
# The worker lives about a second: looked for in /proc without forking (pgrep where /proc lacks it).
worker_dies_with_parent() {
  local how=$1 output=$2 name=$3 child="" i alive end
  shift 2
  rm -f "$output"
  start worker "$CITSIM" "$@"
  end=$((SECONDS + 20))
  while [ -z "$child" ] && [ $SECONDS -lt $end ] && kill -0 $PID 2>/dev/null; do
    if [ -r "/proc/$PID/task/$PID/children" ]; then
      { read -r child <"/proc/$PID/task/$PID/children"; } 2>/dev/null
    else
      child=$(pgrep -P $PID)
    fi
    child=${child%% *}
  done
  if [ -z "$child" ]; then
    finish
    fail "$name, SIG$how to the parent: its worker was never seen"
    return
  fi
  kill -STOP "$child"
  kill -s $how $PID
  sleep 0.2
  kill -CONT "$child"
  finish
  for ((i = 0; i < 100; i++)); do kill -0 "$child" 2>/dev/null || break; sleep 0.05; done
  alive=$(kill -0 "$child" 2>/dev/null && echo yes || echo no)
  sleep 1.5  # longer than the worker would need to write
  check "$name, SIG$how to the parent (exit $RC): the worker ends too and writes nothing, no temporary" \
    $([ $alive = no ] && [ ! -e "$output" ] && [ -z "$(ls "$d" | grep tmp)" ] && echo 0 || echo 1) \
    "worker alive: $alive" "$(ls "$d")" "$(cat "$T/worker.err")"
  [ $alive = yes ] && kill -KILL "$child" 2>/dev/null
}
for how in KILL HUP; do
  worker_dies_with_parent $how "$d/page.html" report "$d/big.h5" -o "$d/page.html" -q
  worker_dies_with_parent $how "$d/merged.h5" merge "$d/s.shard-0-of-2.h5" "$d/s.shard-1-of-2.h5" -o "$d/merged.h5" -q
done

# --- 6. Inputs that could block --------------------------------------------------------------------
mkfifo "$T/config_pipe.toml"
start fifo timeout -s KILL 30 "$CITSIM" run "$T/config_pipe.toml" -o "$T/never.h5"
sleep 0.3
kill -TERM $PID 2>/dev/null
finish
check "a named pipe without a writer as config: refused (exit 2) without waiting, not deaf to SIGTERM (${SECONDS_TO_EXIT} s)" \
  $([ $RC -eq 2 ] && grep -q "it is a named pipe, not a regular file" "$T/fifo.err" && echo 0 || echo 1) \
  "exit $RC" "$(cat "$T/fifo.err")"

report_totals
