#!/usr/bin/env bash
# The output rule of every command that writes (docs/reliability.md, "Outputs"), as a user meets it:
#
#   bash tests/cli/test_outputs.sh <citsim-binary> <source-dir>      (VERBOSE=1: print each message)
#
# 1. An output never replaces an input of the same command: run (and a 2D run's sidecar),
#    sensitivity, sweep (and its work file), calibrate, report and merge (also --virtual) with the
#    output naming each kind of input they read, by its name, a symbolic link or a hard link: exit
#    2, a message naming both files, every input byte-identical, no temporary left.
# 2. An output given as a symbolic link is written through by every command: the link stays the
#    same link, the file it names is replaced (created, if the link dangles).
# 3. Special files are no outputs: /dev/stdout (stdout a file or a pipe), /dev/fd/1,
#    /proc/self/fd/1, a named pipe, a link to a directory: exit 2, and /dev/stdout is still the
#    system's link. Inputs that are not regular files (a named pipe as config, spec, targets, run
#    file or shard; /dev/zero as config) are refused at once.
# 4. A 2D run's HDF5 file and XDMF sidecar are replaced together or not at all: a sidecar that
#    cannot be written (a directory in its place; an immutable file, as root) leaves both as they
#    were.
# 5. Two sweeps on one output: the second is refused at once, naming the first's process; the
#    first finishes.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # CITSIM, SRC, CONFIG, FAST, T, pass/fail/skip

test_arguments 2 2 "<citsim-binary> <source-dir>" "$@"
IMMUTABLE=()
before_cleanup() {
  local f
  for f in "${IMMUTABLE[@]}"; do chattr -i "$f" 2>/dev/null; done
  restore_dev_stdout >/dev/null
}
make_test_dir citsim_outputs
# No test may leave the system without its /dev/stdout; an old citsim replaced it (as root).
restore_dev_stdout() {
  if [ "$(readlink /dev/stdout)" != /proc/self/fd/1 ] && [ "$(id -u)" -eq 0 ]; then
    rm -f /dev/stdout && ln -s /proc/self/fd/1 /dev/stdout
    echo "restored"
  fi
}

FAST2D=(--set model.level=2d --set protocol.series.count=1 --set protocol.end_days=5 --set numerics.dx=0.2
        --set numerics.dz=0.1)

# Files whose bytes and kind (file, link) must survive every refused command.
WATCH=()
state() {
  local f
  for f in "${WATCH[@]}"; do
    printf '%s %s %s\n' "$f" "$(stat -c %F "$f" 2>/dev/null)" "$(sha256sum "$f" 2>/dev/null | cut -d' ' -f1)"
  done
}

# refused NAME NEEDLE... -- COMMAND...: `citsim COMMAND...` (or the shell line after "sh:") must exit
# 2 with "error: " and every needle on stderr, leave every watched file as it was and no temporary.
refused() {
  local name=$1
  shift
  local needles=()
  while [ "$1" != "--" ]; do
    needles+=("$1")
    shift
  done
  shift
  local before after err rc problems=() n
  before=$(state)
  if [ "$1" = "sh:" ]; then
    bash -c "$2" >"$T/last.out" 2>"$T/last.err" </dev/null
  else
    "$CITSIM" "$@" >"$T/last.out" 2>"$T/last.err" </dev/null
  fi
  rc=$?
  err=$(cat "$T/last.err")
  after=$(state)
  [ $rc -eq 2 ] || problems+=("exit $rc, expected 2")
  [[ "$err" == *"error: "* ]] || problems+=("no 'error: ' line")
  for n in "${needles[@]}"; do
    [[ "$err" == *"$n"* ]] || problems+=("message lacks '$n'")
  done
  [ "$before" = "$after" ] || problems+=("a file changed:" "$(diff <(echo "$before") <(echo "$after") | grep '^[<>]')")
  [ -z "$(find "$T" -name '*.tmp-*')" ] || problems+=("temporary files left: $(find "$T" -name '*.tmp-*')")
  [ "$(restore_dev_stdout)" != restored ] || problems+=("/dev/stdout was replaced (restored now)")
  if [ ${#problems[@]} -eq 0 ]; then
    pass "$name"
    [ -n "${VERBOSE:-}" ] && head -n 1 "$T/last.err" | cut -c 1-300 | sed 's/^/      /'
  else
    fail "$name" "${problems[@]}" "stderr: $err"
  fi
  return 0
}

# ------------------------------------------------------------------------------------------------
# Inputs of every command.

IN="$T/in"
mkdir -p "$IN"
cp "$CONFIG" "$IN/cfg.toml"
cp "$SRC/configs/parameters.toml" "$IN/p.toml"
cp "$CONFIG" "$IN/side.xmf"  # a config whose name a 2D run's sidecar would take
"$CITSIM" run "$IN/cfg.toml" "${FAST[@]}" -o "$IN/run.h5" -q || { echo "setup: run failed" >&2; exit 1; }
cp "$IN/run.h5" "$IN/run2.h5"
small_grid_spec "$IN/cfg.toml" "$T/sweep.h5" >"$IN/spec.toml"
cp "$IN/spec.toml" "$IN/w.h5.partial"  # a spec whose name a sweep's work file would take
cat >"$IN/gsa.toml" <<EOF
base = "$IN/cfg.toml"
set = ["model.level=0d", "protocol.series.count=1", "protocol.end_days=20"]
[design]
kind = "morris"
trajectories = 2
levels = 4
[[axis]]
key = "needle_length"
range = [1.0, 2.0]
[[axis]]
key = "k_tx"
range = [1.3e-4, 1.89e-3]
EOF
for i in 0 1; do
  "$CITSIM" sweep "$IN/spec.toml" --shard $i/2 -o "$IN/s.h5" -q || { echo "setup: shard $i failed" >&2; exit 1; }
done
S0="$IN/s.shard-0-of-2.h5"
S1="$IN/s.shard-1-of-2.h5"
# The first target only (one 1D scenario): what is checked here is where calibrate writes, and
# all 24 would run the 2D section at every loss evaluation.
awk '/^\[\[target\]\]/ { n++ } n <= 1' "$SRC/configs/validation/targets.toml" >"$IN/targets.toml"
cp -r "$SRC/configs/validation" "$T/val"
cp "$IN/targets.toml" "$T/val/targets.toml"
SCENARIO=$(sed -n 's/^scenario *= *"\(.*\)".*/\1/p' "$T/val/targets.toml" | head -n 1)
ln -s cfg.toml "$IN/cfg_link.h5"
ln "$IN/cfg.toml" "$IN/cfg_hard.h5"
ln -s s.shard-0-of-2.h5 "$IN/s0_link.h5"
ln -s run.h5 "$IN/run_link.html"
WATCH=("$IN"/* "$T/val/targets.toml" "$T/val/$SCENARIO.toml")
NEVER="an output never replaces an input"

# --- 1. An output never replaces an input ----------------------------------------------------------
refused "run cfg -o cfg" "cannot write '$IN/cfg.toml' (the output, -o)" "reads as the config" "$NEVER" -- \
  run "$IN/cfg.toml" "${FAST[@]}" -o "$IN/cfg.toml"
refused "run cfg -o (a symbolic link to cfg)" "'$IN/cfg_link.h5'" "the same file as '$IN/cfg.toml'" "$NEVER" -- \
  run "$IN/cfg.toml" "${FAST[@]}" -o "$IN/cfg_link.h5"
refused "run cfg -o (a hard link of cfg)" "'$IN/cfg_hard.h5'" "the same file as '$IN/cfg.toml'" -- \
  run "$IN/cfg.toml" "${FAST[@]}" -o "$IN/cfg_hard.h5"
refused "run -o its own parameter table (model.parameter_file)" "reads as the parameter table (model.parameter_file)" -- \
  run "$IN/cfg.toml" "${FAST[@]}" --set "model.parameter_file=$IN/p.toml" -o "$IN/p.toml"
refused "run 2D: the sidecar would replace the config (side.xmf)" "cannot write '$IN/side.xmf' (its XDMF sidecar)" \
  "reads as the config" -- run "$IN/side.xmf" "${FAST2D[@]}" -o "$IN/side.h5"
refused "sensitivity cfg -o cfg" "cannot write '$IN/cfg.toml' (the table, -o)" "reads as the config" -- \
  sensitivity "$IN/cfg.toml" "${FAST[@]}" --param k_tx -o "$IN/cfg.toml"
refused "sensitivity --method morris -o spec" "cannot write '$IN/gsa.toml'" "reads as the sweep spec" -- \
  sensitivity "$IN/gsa.toml" --method morris -o "$IN/gsa.toml" -q
refused "sweep spec -o spec" "cannot write '$IN/spec.toml' (the output, -o)" "reads as the sweep spec" -- \
  sweep "$IN/spec.toml" -o "$IN/spec.toml" -q
refused "sweep spec -o (its base config)" "reads as the base config of the spec" -- \
  sweep "$IN/spec.toml" -o "$IN/cfg.toml" -q
refused "sweep: the work file would replace the spec (w.h5.partial)" "cannot write '$IN/w.h5.partial' (its work file)" -- \
  sweep "$IN/w.h5.partial" -o "$IN/w.h5" -q
refused "calibrate --targets T -o T" "cannot write '$IN/targets.toml'" "reads as the targets file (--targets)" -- \
  calibrate --targets "$IN/targets.toml" --scenarios "$SRC/configs/validation" --max-evals 1 -o "$IN/targets.toml" -q
refused "calibrate -o (a scenario config)" "reads as the config of the scenario '$SCENARIO'" -- \
  calibrate --targets "$T/val/targets.toml" --max-evals 1 -o "$T/val/$SCENARIO.toml" -q
refused "calibrate -o (the parameter table the scenarios read)" "reads as the parameter table (model.parameter_file)" -- \
  calibrate --targets "$IN/targets.toml" --scenarios "$SRC/configs/validation" --set "model.parameter_file=$IN/p.toml" \
  --max-evals 1 -o "$IN/p.toml" -q
refused "report run.h5 -o run.h5" "cannot write '$IN/run.h5' (the page, -o)" "reads as a run file" -- \
  report "$IN/run.h5" -o "$IN/run.h5"
refused "report of two runs -o the second" "reads as a run file" -- \
  report "$IN/run.h5" "$IN/run2.h5" -o "$IN/run2.h5"
refused "report -o (a symbolic link to the run)" "the same file as '$IN/run.h5'" -- \
  report "$IN/run.h5" -o "$IN/run_link.html"
refused "merge s0 s1 -o s0" "cannot write '$S0' (the merged file, -o)" "reads as a shard" -- \
  merge "$S0" "$S1" -o "$S0"
refused "merge s0 s1 --virtual -o s0 (a file that would refer to itself)" "reads as a shard" -- \
  merge "$S0" "$S1" --virtual -o "$S0"
refused "merge s0 s1 --virtual -o s1" "reads as a shard" -- \
  merge "$S0" "$S1" --virtual -o "$S1"
refused "merge -o (a symbolic link to a shard)" "the same file as '$S0'" -- \
  merge "$S0" "$S1" -o "$IN/s0_link.h5"

# --- 2. A symbolic link is written through -------------------------------------------------------
mkdir -p "$T/links" "$T/data"
# through NAME LINK_NAME -- COMMAND...: LINK_NAME (in $T/links) points to $T/data/LINK_NAME, which
# holds "old"; `citsim COMMAND` (its output the link) must exit 0 (or 1 for calibrate), leave the
# link as it was and replace the file it names.
through() {
  local name=$1 link="$T/links/$2" data="$T/data/$2"
  shift 3
  echo old >"$data"
  ln -sfn "../data/$(basename "$data")" "$link"
  "$CITSIM" "$@" >"$T/last.out" 2>"$T/last.err" </dev/null
  local rc=$? problems=()
  [ $rc -eq 0 ] || [ $rc -eq 1 ] || problems+=("exit $rc")
  [ -L "$link" ] && [ "$(readlink "$link")" = "../data/$(basename "$data")" ] || problems+=("the link is gone: $(ls -l "$link")")
  [ -f "$data" ] && [ "$(cat "$data" 2>/dev/null | head -c 3)" != old ] && [ -s "$data" ] || problems+=("the file it names was not replaced")
  [ -z "$(find "$T" -name '*.tmp-*')" ] || problems+=("temporary files left")
  if [ ${#problems[@]} -eq 0 ]; then pass "$name"; else fail "$name" "${problems[@]}" "stderr: $(cat "$T/last.err")"; fi
}
through "run -o LINK: written through, the link stays" run.h5 -- run "$IN/cfg.toml" "${FAST[@]}" -o "$T/links/run.h5" -q
through "report -o LINK: written through" page.html -- report "$IN/run.h5" -o "$T/links/page.html" -q
through "merge -o LINK: written through" merged.h5 -- merge "$S0" "$S1" -o "$T/links/merged.h5" -q
through "merge --virtual -o LINK: written through" virtual.h5 -- merge "$S0" "$S1" --virtual -o "$T/links/virtual.h5" -q
through "sweep --restart -o LINK: written through" sweep.h5 -- sweep "$IN/spec.toml" -o "$T/links/sweep.h5" --restart -q
through "sensitivity -o LINK: written through" sens.h5 -- sensitivity "$IN/cfg.toml" "${FAST[@]}" --param k_tx -o "$T/links/sens.h5" -q
through "calibrate -o LINK: written through" table.toml -- \
  calibrate --targets "$IN/targets.toml" --scenarios "$SRC/configs/validation" --free k_tx --max-evals 1 -o "$T/links/table.toml" -q
ln -s ../data/created.h5 "$T/links/dangling.h5"
"$CITSIM" run "$IN/cfg.toml" "${FAST[@]}" -o "$T/links/dangling.h5" -q 2>"$T/last.err"
rc=$?
[ $rc -eq 0 ] && [ -L "$T/links/dangling.h5" ] && [ -s "$T/data/created.h5" ]
check_rc=$?
if [ $check_rc -eq 0 ]; then pass "run -o (a dangling link): the file it names is created, the link stays"
else fail "run -o (a dangling link)" "exit $rc" "$(ls -l "$T/links" "$T/data")" "$(cat "$T/last.err")"; fi

# --- 3. Special files are no outputs; inputs are regular files ----------------------------------
WATCH+=("$T/stdout.txt")
echo "what was in stdout" >"$T/stdout.txt"
for cmd in "run '$IN/cfg.toml' ${FAST[*]}" "report '$IN/run.h5'" "merge '$S0' '$S1'" "sweep '$IN/spec.toml'" \
           "sensitivity '$IN/cfg.toml' ${FAST[*]} --param k_tx" \
           "calibrate --targets '$IN/targets.toml' --scenarios '$SRC/configs/validation' --max-evals 1"; do
  refused "${cmd%% *} -o /dev/stdout, stdout a file: refused, the file and /dev/stdout as they were" \
    "cannot write '/dev/stdout'" "a file descriptor of the process" -- \
    sh: "exec '$CITSIM' $cmd -o /dev/stdout -q >>'$T/stdout.txt'"
done
refused "run -o /dev/stdout, stdout a pipe" "cannot write '/dev/stdout'" -- \
  sh: "'$CITSIM' run '$IN/cfg.toml' ${FAST[*]} -o /dev/stdout -q | cat >/dev/null; exit \${PIPESTATUS[0]}"
refused "run -o /dev/fd/1" "cannot write '/dev/fd/1'" "a file descriptor of the process" -- \
  sh: "exec '$CITSIM' run '$IN/cfg.toml' ${FAST[*]} -o /dev/fd/1 -q >>'$T/stdout.txt'"
refused "run -o /proc/self/fd/1" "cannot write '/proc/self/fd/1'" -- \
  sh: "exec '$CITSIM' run '$IN/cfg.toml' ${FAST[*]} -o /proc/self/fd/1 -q >>'$T/stdout.txt'"
mkfifo "$T/pipe.h5"
mkdir -p "$T/a_dir"
ln -s a_dir "$T/dir_link.h5"
refused "run -o (a named pipe)" "it exists and is a named pipe" -- run "$IN/cfg.toml" "${FAST[@]}" -o "$T/pipe.h5"
refused "report -o (a link to a directory)" "it exists and is a directory" -- report "$IN/run.h5" -o "$T/dir_link.h5"
# A named pipe without a writer as an input: refused at once (the timeout stops a citsim that waits).
mkfifo "$T/in_pipe.toml" "$T/in_pipe.h5"
refused "run (a named pipe as config)" "$T/in_pipe.toml" "it is a named pipe, not a regular file" -- \
  sh: "exec timeout -s KILL 20 '$CITSIM' run '$T/in_pipe.toml' -o '$T/never.h5'"
refused "check (/dev/zero as config)" "/dev/zero" "it is a character device, not a regular file" -- check /dev/zero
refused "sweep (a named pipe as spec)" "$T/in_pipe.toml" "named pipe" -- \
  sh: "exec timeout -s KILL 20 '$CITSIM' sweep '$T/in_pipe.toml' -o '$T/never.h5'"
refused "validate (a named pipe as targets)" "$T/in_pipe.toml" "named pipe" -- \
  sh: "exec timeout -s KILL 20 '$CITSIM' validate --targets '$T/in_pipe.toml' --scenarios '$SRC/configs/validation'"
refused "report (a named pipe as run file)" "cannot read '$T/in_pipe.h5' (a run file): it is a named pipe" -- \
  sh: "exec timeout -s KILL 20 '$CITSIM' report '$T/in_pipe.h5' -o '$T/never.html'"
refused "merge (a named pipe as shard)" "cannot read '$T/in_pipe.h5' (a shard): it is a named pipe" -- \
  sh: "exec timeout -s KILL 20 '$CITSIM' merge '$S0' '$T/in_pipe.h5' -o '$T/never.h5'"

# --- 4. A 2D run's two files are replaced together or not at all ----------------------------------
mkdir -p "$T/pair"
echo "old file" >"$T/pair/out.h5"
mkdir -p "$T/pair/out.xmf"
WATCH=("$T/pair/out.h5")
refused "2D run whose sidecar is a directory: refused before the run, out.h5 untouched" \
  "cannot write '$T/pair/out.xmf' (its XDMF sidecar): it exists and is a directory" -- \
  run "$IN/cfg.toml" "${FAST2D[@]}" -o "$T/pair/out.h5"
rmdir "$T/pair/out.xmf"
echo "old sidecar" >"$T/pair/out.xmf"
if [ "$(id -u)" -eq 0 ] && chattr +i "$T/pair/out.xmf" 2>/dev/null; then
  IMMUTABLE+=("$T/pair/out.xmf")
  WATCH=("$T/pair/out.h5" "$T/pair/out.xmf")
  # The sidecar is written under its temporary name, but cannot be renamed over the immutable
  # file: the HDF5 file, already renamed, is put back.
  refused "2D run whose sidecar cannot be replaced (immutable): both files as they were" \
    "cannot write '$T/pair/out.xmf'" "Operation not permitted" "none of '$T/pair/out.h5', '$T/pair/out.xmf' was replaced" -- \
    run "$IN/cfg.toml" "${FAST2D[@]}" -o "$T/pair/out.h5"
  chattr -i "$T/pair/out.xmf"
else
  skip "2D run whose sidecar cannot be replaced: needs root and chattr +i"
fi
"$CITSIM" run "$IN/cfg.toml" "${FAST2D[@]}" -o "$T/pair/out.h5" -q
rc=$?
if [ $rc -eq 0 ] && [ "$(head -c 4 "$T/pair/out.h5" | od -An -c | tr -d ' ')" = "211HDF" ] && grep -q "out.h5:/fields/" "$T/pair/out.xmf"; then
  pass "2D run: both files replaced when both can be"
else
  fail "2D run: both files replaced when both can be" "exit $rc" "$(ls -l "$T/pair")"
fi

# --- 5. One sweep at a time on one output ---------------------------------------------------------
long_grid_spec "$CONFIG" '"firmness_gain"' >"$T/long.toml"
"$CITSIM" sweep "$T/long.toml" -o "$T/both.h5" -j 1 -q >"$T/first.out" 2>"$T/first.err" </dev/null &
FIRST=$!
for ((i = 0; i < 600; i++)); do [ -e "$T/both.h5.partial" ] && break; sleep 0.05; done
t0=$(date +%s%N)
"$CITSIM" sweep "$T/long.toml" -o "$T/both.h5" -j 1 -q >"$T/second.out" 2>"$T/second.err" </dev/null
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ -e "$T/both.h5" ]; then
  skip "two sweeps on one output: the first finished before the second started"
elif [ $rc -eq 2 ] && grep -q "^error: cannot write '$T/both.h5': another citsim sweep is writing it (process $FIRST, holding the lock file '$T/both.h5.lock')" "$T/second.err"; then
  pass "two sweeps on one output: the second refused in $ms ms, naming the first (process $FIRST)"
else
  fail "two sweeps on one output: the second must be refused naming the first" "exit $rc" "$(cat "$T/second.err")"
fi
wait $FIRST
rc=$?
/usr/bin/python3 - "$T/both.h5" <<'EOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    sys.exit(0 if np.all(f["/sweep/status"][...] == 1) and len(f["/sweep/status"]) == 30 else 1)
EOF
ok=$?
if [ $rc -eq 0 ] && [ $ok -eq 0 ] && [ ! -e "$T/both.h5.partial" ] && [ ! -e "$T/both.h5.lock" ]; then
  pass "and the first finishes every run; no work file or lock file left"
else
  fail "the first sweep finishes" "exit $rc" "$(cat "$T/first.err")" "$(ls "$T" | grep both)"
fi

report_totals
