#!/usr/bin/env bash
# The command line as a user meets it: exit codes, messages, and nothing written on bad input.
#
#   bash tests/cli/test_cli.sh <citsim-binary> <source-dir>
#
# Exit codes promised by the CLI: 0 ok, 2 bad input (config, files), 3 numerical failure.
# Successful runs are kept short (0d, one session, 30 days) so the whole script takes seconds.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # CITSIM, SRC, CONFIG, FAST, T, pass/fail, report_totals

test_arguments 2 2 "<citsim-binary> <source-dir>" "$@"
[ -f "$CONFIG" ] || { echo "no config: $CONFIG" >&2; exit 2; }
make_test_dir citsim_cli

# run_cli NAME ARGS...: runs citsim, keeping exit code, stdout and stderr.
RC=0
OUT=""
ERR=""
run_cli() {
  local name=$1
  shift
  "$CITSIM" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
  RC=$?
  OUT=$(cat "$T/$name.out")
  ERR=$(cat "$T/$name.err")
}

# expect_rc WHAT EXPECTED: checks the last run_cli's exit code.
expect_rc() {
  if [ "$RC" -eq "$2" ]; then
    pass "$1: exit $2"
  else
    fail "$1: exit $RC, expected $2" "stdout: $OUT" "stderr: $ERR"
  fi
}

# expect_text WHAT HAYSTACK NEEDLE...: each needle (fixed string) occurs in the haystack.
expect_text() {
  local what=$1 hay=$2
  shift 2
  local needle missing=()
  for needle in "$@"; do
    if [[ "$hay" != *"$needle"* ]]; then missing+=("$needle"); fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    pass "$what"
  else
    local m
    m=$(printf "'%s' " "${missing[@]}")
    fail "$what" "missing: $m" "in: $hay"
  fi
}

# expect_empty_dir WHAT DIR: nothing at all in DIR (no output, no *.tmp-* leftover).
expect_empty_dir() {
  local left
  left=$(ls -A "$2" 2>/dev/null)
  if [ -z "$left" ]; then
    pass "$1: nothing written in the output directory"
  else
    fail "$1: files left in the output directory" "$left"
  fi
}

# expect_no_tmp WHAT DIR: no temporary file of the atomic write left in DIR.
expect_no_tmp() {
  local left
  left=$(find "$2" -name '*.tmp-*' 2>/dev/null)
  if [ -z "$left" ]; then
    pass "$1: no temporary file left"
  else
    fail "$1: temporary file left" "$left"
  fi
}

# expect_hdf5 WHAT FILE: FILE exists and starts with the HDF5 signature.
expect_hdf5() {
  if [ -f "$2" ] && [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = "211HDF" ]; then
    pass "$1: wrote an HDF5 file"
  else
    fail "$1: no HDF5 file at $2"
  fi
}

# bad_input NAME CONFIG [ARGS...]: a run that must be refused: exit 2, nothing written.
# Leaves the message in ERR for the caller to check.
bad_input() {
  local name=$1 config=$2
  shift 2
  local dir="$T/out_$name"
  mkdir -p "$dir"
  run_cli "$name" run "$config" -o "$dir/run.h5" "$@"
  expect_rc "$name" 2
  expect_empty_dir "$name" "$dir"
}

# ------------------------------------------------------------------------------------------------
# Help, version, parameter table

run_cli version --version
expect_rc "--version" 0
expect_text "--version prints the version" "$OUT" "citsim "
if [[ "$OUT" =~ ^citsim\ [0-9]+\.[0-9]+\.[0-9]+ ]]; then pass "--version: 'citsim X.Y.Z'"; else fail "--version: 'citsim X.Y.Z'" "got: $OUT"; fi

run_cli help --help
expect_rc "--help" 0
expect_text "--help lists the subcommands and exit codes" "$OUT" "run" "check" "params" "Exit codes"

run_cli run_help run --help
expect_rc "run --help" 0
expect_text "run --help lists its options" "$OUT" "--output" "--set" "--quiet"

run_cli no_subcommand
expect_rc "no subcommand" 2

run_cli bad_option run "$CONFIG" --frobnicate
expect_rc "unknown option" 2

run_cli params params
expect_rc "params" 0
# columns: name value unit group allowed source (value: the fitted default runs start from)
LAMBDA_M=$(awk '$1 == "lambda_M" {print $3}' "$T/params.out")
K_TX=$(awk '$1 == "k_tx" {print $3}' "$T/params.out")
expect_text "params has a unit column" "$(head -1 "$T/params.out")" "name" "value" "unit"
if [ "$LAMBDA_M" = "-" ]; then pass "params lists lambda_M with its unit ('-', dimensionless)"; else fail "params lists lambda_M with its unit" "got unit '$LAMBDA_M'"; fi
if [ "$K_TX" = "1/day" ]; then pass "params lists k_tx in 1/day"; else fail "params lists k_tx in 1/day" "got unit '$K_TX'"; fi
# A range end copied from the table is accepted: the ends printed in 4 or more significant digits
# (rounded) are set one by one (k_tx's minimum 0.000126602... was printed 0.0001266 and refused).
rounded=0
while read -r name lo hi; do
  for v in "$lo" "$hi"; do
    digits=$(printf '%s' "$v" | sed -e 's/e.*//' -e 's/[-.]//g' -e 's/^0*//')
    [ ${#digits} -ge 4 ] || continue
    rounded=$((rounded + 1))
    if ! "$CITSIM" check "$CONFIG" --set "model.parameters.$name=$v" >"$T/range_end.out" 2>&1; then
      if grep -q "model.parameters.$name" "$T/range_end.out" && grep -q "$v" "$T/range_end.out"; then
        fail "params: $name's printed range end $v is accepted" "$(cat "$T/range_end.out")"
      fi
    fi
  done
done < <(sed -n 's/^\([A-Za-z0-9_]*\) .*\[\([^,]*\), *\([^]]*\)\].*/\1 \2 \3/p' "$T/params.out" | tr -s ' ')
if [ "$rounded" -gt 0 ]; then pass "params: the $rounded rounded range ends it prints are accepted by --set"
else fail "params: range ends in 4 digits were found" "none parsed from the table"; fi

# ------------------------------------------------------------------------------------------------
# check

run_cli check check "$CONFIG"
expect_rc "check configs/default.toml" 0
NSESSIONS=0
for day in 0 28 56 84 112 140; do
  if grep -Eq "^ *[1-6] +$day\.0 +pen " "$T/check.out"; then NSESSIONS=$((NSESSIONS + 1)); fi
done
if [ "$NSESSIONS" -eq 6 ] && [ "$(grep -Ec '^ *[0-9]+ +[0-9.]+ +(pen|roller) ' "$T/check.out")" -eq 6 ]; then
  pass "check prints the 6 sessions (days 0..140)"
else
  fail "check prints the 6 sessions (days 0..140)" "$OUT"
fi
expect_text "check reports the session count and ok" "$OUT" "sessions  6" "ok"

run_cli check_bad check "$CONFIG" --set patient.agee=40
expect_rc "check with an unknown key" 2

# --unset removes a key before --set applies, in every command that reads configs; what the
# config does not give is refused by name.
ROLLER=(--unset protocol.series.needle.density --set protocol.series.needle.device=roller
        --set protocol.series.needle.passes=4 --set protocol.series.needle.needle_length=0.5)
run_cli check_unset check "$CONFIG" "${ROLLER[@]}"
expect_rc "check --unset density --set passes" 0
expect_text "check --unset: the sessions are the roller's" "$OUT" "roller" "61.1"
run_cli check_unset_missing check "$CONFIG" --unset patient.no_such_key
expect_rc "check --unset of a key the config lacks" 2
expect_text "check --unset names the key" "$ERR" "--unset: key 'patient.no_such_key': cannot unset it"
run_cli validate_unset validate --targets "$SRC/configs/validation/targets.toml" --unset numerics.no_such_key
expect_rc "validate --unset of a key the scenarios lack" 2
expect_text "validate --unset names the key" "$ERR" "--unset: key 'numerics.no_such_key'"
for sub in sweep sensitivity; do
  run_cli "${sub}_unset_help" "$sub" --help
  expect_text "$sub --help lists --unset" "$OUT" "--unset"
done

# ------------------------------------------------------------------------------------------------
# Bad inputs: exit 2, a message naming where (file or --set), the key and what is allowed,
# and no output file nor temporary left behind.

# unknown key, in a file: file:line, key, suggestion
printf 'seed = 1\n[patient]\nagee = 40\n' >"$T/unknown_key.toml"
bad_input unknown_key_file "$T/unknown_key.toml"
expect_text "unknown key in a file: names file:line, key, suggestion" "$ERR" \
  "$T/unknown_key.toml:3" "patient.agee" "did you mean 'age'"

# unknown key, by --set
bad_input unknown_key_set "$CONFIG" --set patient.agee=40
expect_text "unknown key by --set: names --set, key, suggestion and the valid keys" "$ERR" \
  "--set" "patient.agee" "did you mean 'age'" "keys here:"

# --bands needs an ensemble; a bad ensemble file is named with its line and key
bad_input bands_without_ensemble "$CONFIG" --bands
expect_text "--bands without --ensemble: says what it needs" "$ERR" "--bands" "needs --ensemble FILE"
printf 'parameters = ["mu_M"]\n[[member]]\nweight = 1.0\nvalues = [90.0]\n' >"$T/bad_ensemble.toml"
bad_input bad_ensemble "$CONFIG" --bands --ensemble "$T/bad_ensemble.toml"
expect_text "a value outside its range in an ensemble file: file:line, key, range" "$ERR" \
  "$T/bad_ensemble.toml:4" "member[1].values[0] (mu_M)" "must be a number in"

# unknown model parameter: suggestion of the nearest name
bad_input unknown_param "$CONFIG" --set model.parameters.lambda_m=0.5
expect_text "unknown parameter: suggests the nearest name" "$ERR" \
  "model.parameters.lambda_m" "did you mean 'lambda_M'"

# out of range, by --set and in a file
bad_input out_of_range_set "$CONFIG" --set patient.age=-3
expect_text "out-of-range age by --set: names --set, key, value, range" "$ERR" \
  "--set" "patient.age" "-3" "[0, 120] years"
printf '[patient]\nage = -3\n' >"$T/out_of_range.toml"
bad_input out_of_range_file "$T/out_of_range.toml"
expect_text "out-of-range age in a file: names file:line, key, range" "$ERR" \
  "$T/out_of_range.toml:2" "patient.age" "[0, 120] years"

# bad enum
bad_input bad_enum "$CONFIG" --set protocol.series.needle.device=laser
expect_text "bad device: names the key, the value and the choices" "$ERR" \
  "protocol.series.needle.device" "laser" '"pen", "roller"'

# wrong type
bad_input bad_type "$CONFIG" --set patient.smoker=maybe
expect_text "bad boolean: says true or false" "$ERR" "patient.smoker" "true or false"

# missing config file
bad_input missing_config "$T/no_such_config.toml"
expect_text "missing config: names the file and the reason" "$ERR" \
  "$T/no_such_config.toml" "cannot read" "No such file"

# contraindication: refused with a clinical reason, allowed with allow_contraindicated
bad_input pregnant "$CONFIG" --set patient.pregnant=true
expect_text "pregnancy is refused with a clinical reason and the way out" "$ERR" \
  "patient.pregnant" "contraindicated in pregnancy" "wound healing" "allow_contraindicated"
bad_input infection "$CONFIG" --set patient.active_skin_infection=true
expect_text "active infection is refused with a clinical reason" "$ERR" \
  "patient.active_skin_infection" "infection" "channels"

mkdir -p "$T/out_allowed"
run_cli allowed run "$CONFIG" "${FAST[@]}" --set patient.pregnant=true \
  --set protocol.allow_contraindicated=true -o "$T/out_allowed/run.h5"
expect_rc "pregnancy with allow_contraindicated=true runs" 0
expect_hdf5 "allow_contraindicated run" "$T/out_allowed/run.h5"
expect_text "allow_contraindicated run warns" "$ERR" "warning:" "patient.pregnant"

# end before the last session (an absolute day, not a duration)
bad_input end_too_early "$CONFIG" --set protocol.end_days=30
expect_text "end_days before the last session: says why" "$ERR" \
  "protocol.end_days" "after the last session" "day 140"

# ------------------------------------------------------------------------------------------------
# Unwritable output paths: exit 2, the message names the path

run_cli proc run "$CONFIG" "${FAST[@]}" -q -o /proc/citsim/x.h5
expect_rc "output under /proc" 2
expect_text "output under /proc: names the path" "$ERR" "/proc/citsim/x.h5"

mkdir -p "$T/out_file"
: >"$T/out_file/regular"
run_cli under_file run "$CONFIG" "${FAST[@]}" -q -o "$T/out_file/regular/x.h5"
expect_rc "output under a regular file" 2
expect_text "output under a regular file: names the path" "$ERR" "$T/out_file/regular/x.h5"
if [ -f "$T/out_file/regular" ] && [ ! -s "$T/out_file/regular" ] && [ "$(ls -A "$T/out_file")" = "regular" ]; then
  pass "output under a regular file: nothing else written"
else
  fail "output under a regular file: nothing else written" "$(ls -lA "$T/out_file")"
fi

mkdir -p "$T/out_dir/target"
run_cli onto_dir run "$CONFIG" "${FAST[@]}" -q -o "$T/out_dir/target"
expect_rc "output path is a directory" 2
expect_text "output path is a directory: names the path" "$ERR" "$T/out_dir/target"
expect_no_tmp "output path is a directory" "$T/out_dir"

# ------------------------------------------------------------------------------------------------
# Successful runs: -q is silent on stdout; a piped stdout gets the summary and no progress bar

mkdir -p "$T/out_quiet"
run_cli quiet run "$CONFIG" "${FAST[@]}" -q -o "$T/out_quiet/run.h5"
expect_rc "run -q" 0
if [ -z "$OUT" ]; then pass "run -q prints nothing on stdout"; else fail "run -q prints nothing on stdout" "got: $OUT"; fi
expect_hdf5 "run -q" "$T/out_quiet/run.h5"
expect_no_tmp "run -q" "$T/out_quiet"
if [ "$(ls -A "$T/out_quiet")" = "run.h5" ]; then pass "run -q writes only its file"; else fail "run -q writes only its file" "$(ls -A "$T/out_quiet")"; fi

# the output directory is created if missing
run_cli mkdirs run "$CONFIG" "${FAST[@]}" -q -o "$T/out_new/a/b/run.h5"
expect_rc "run into a directory that does not exist yet" 0
expect_hdf5 "run into a new directory" "$T/out_new/a/b/run.h5"

# 1d (the default level), piped stdout: summary, no carriage return, no escape sequence
mkdir -p "$T/out_piped"
"$CITSIM" run "$CONFIG" --set protocol.series.count=1 --set protocol.end_days=30 \
  -o "$T/out_piped/run.h5" 2>"$T/piped.err" </dev/null | cat >"$T/piped.out"
RC=${PIPESTATUS[0]}
OUT=$(cat "$T/piped.out")
ERR=$(cat "$T/piped.err")
expect_rc "run with stdout piped" 0
expect_text "piped run prints the summary" "$OUT" "citsim 1d run of 1 session(s)" "firmness gain" \
  "collagen induction" "wrote $T/out_piped/run.h5"
if LC_ALL=C grep -q $'[\r\033]' "$T/piped.out" "$T/piped.err"; then
  fail "piped run: no progress bar (no \\r, no escape sequence)" "$(od -c "$T/piped.out" | head)"
else
  pass "piped run: no progress bar (no \\r, no escape sequence)"
fi
expect_hdf5 "piped run" "$T/out_piped/run.h5"

# stderr on a terminal (the progress bar's home), stdout to a file: the bar stays on the
# terminal, the file gets the plain summary. Needs util-linux `script` for the terminal.
if command -v script >/dev/null 2>&1; then
  mkdir -p "$T/out_tty"
  printf '%q ' "$CITSIM" run "$CONFIG" --set protocol.series.count=1 --set protocol.end_days=30 \
    -o "$T/out_tty/run.h5" >"$T/tty.cmd"
  printf '> %q\n' "$T/tty.out" >>"$T/tty.cmd"
  script -qec "bash $(printf %q "$T/tty.cmd")" /dev/null >"$T/tty.terminal" 2>&1 </dev/null
  RC=$?
  OUT=$(cat "$T/tty.out" 2>/dev/null)
  ERR=$(cat "$T/tty.terminal")
  expect_rc "run with stderr on a terminal, stdout to a file" 0
  expect_text "terminal run: stdout file has the summary" "$OUT" "firmness gain" "wrote $T/out_tty/run.h5"
  if LC_ALL=C grep -q $'[\r\033]' "$T/tty.out"; then
    fail "terminal run: no progress bar in stdout" "$(od -c "$T/tty.out" | head)"
  else
    pass "terminal run: no progress bar in stdout"
  fi
  if LC_ALL=C grep -q $'\r' "$T/tty.terminal" && [[ "$ERR" == *"citsim 1d ["* ]]; then
    pass "terminal run: the progress bar is drawn on the terminal (stderr)"
  else
    fail "terminal run: the progress bar is drawn on the terminal (stderr)" "$(od -c "$T/tty.terminal" | head)"
  fi
  # -q on a terminal: no bar either
  printf '%q ' "$CITSIM" run "$CONFIG" "${FAST[@]}" -q -o "$T/out_tty/quiet.h5" >"$T/ttyq.cmd"
  script -qec "bash $(printf %q "$T/ttyq.cmd")" /dev/null >"$T/ttyq.terminal" 2>&1 </dev/null
  RC=$?
  OUT=""
  ERR=$(cat "$T/ttyq.terminal")
  expect_rc "run -q on a terminal" 0
  if [ -z "$(tr -d '\r\n' <"$T/ttyq.terminal")" ]; then
    pass "run -q on a terminal prints nothing (no progress bar)"
  else
    fail "run -q on a terminal prints nothing (no progress bar)" "$(od -c "$T/ttyq.terminal" | head)"
  fi
else
  echo "skip  terminal checks: util-linux 'script' not installed"
fi

# --- sensitivity: a ranked table and an HDF5 file; bad names refused, nothing written ---
mkdir -p "$T/sens"
run_cli sens_ok sensitivity "$CONFIG" "${FAST[@]}" --param mu_M --param sigma_T --param K_erythema -q -o "$T/sens/s.h5"
expect_rc "sensitivity of three parameters" 0
expect_text "sensitivity prints the ranked table and the file" "$OUT" "firmness_gain" "collagen_induction" "mu_M" "sigma_T" "wrote $T/sens/s.h5"
if [ -f "$T/sens/s.h5" ]; then pass "sensitivity wrote its HDF5 file"; else fail "sensitivity wrote its HDF5 file"; fi
mkdir -p "$T/sens_bad"
run_cli sens_bad sensitivity "$CONFIG" "${FAST[@]}" --param sigma_t -q -o "$T/sens_bad/s.h5"
expect_rc "sensitivity of an unknown parameter" 2
expect_text "sensitivity names the parameter and the nearest one" "$ERR" "sigma_t" "did you mean 'sigma_T'"
expect_empty_dir "sensitivity of an unknown parameter" "$T/sens_bad"

# -o/--output is the output file, as in run and sweep; the old --output READOUT is now --readout,
# and the old spelling says so rather than writing a file named after the readout.
mkdir -p "$T/sens_out"
run_cli sens_output sensitivity "$CONFIG" "${FAST[@]}" --param mu_M --readout erythema -q --output "$T/sens_out/s.h5"
expect_rc "sensitivity --readout NAME --output FILE" 0
expect_text "--readout chooses the readout" "$OUT" "erythema" "wrote $T/sens_out/s.h5"
run_cli sens_old_output sensitivity "$CONFIG" "${FAST[@]}" --param mu_M --output firmness_gain -q
expect_rc "sensitivity --output READOUT (the old spelling)" 2
expect_text "the old spelling is explained" "$ERR" "--output" "is the output file" "--readout firmness_gain"
if [ -e firmness_gain ] || [ -e "$T/firmness_gain" ]; then fail "no file named after the readout"; else pass "no file named after the readout"; fi

mkdir -p "$T/gsa"
run_cli sens_morris sensitivity "$SRC/configs/sweeps/gsa_default.toml" --method morris --set model.level=0d -o "$T/gsa/m.h5"
expect_rc "sensitivity --method morris over a sweep spec" 0
expect_text "morris prints ranked elementary effects" "$OUT" "Morris" "mu*" "final_firmness_gain" "k_tx"
run_cli sens_morris_param sensitivity --method morris --param mu_M
expect_rc "sensitivity --method morris with --param" 2
expect_text "the message says --param belongs to the local method" "$ERR" "--param" "--method local"

# --- numbers on the command line: read whole and in range, the range said in words ---
run_cli sens_top sensitivity "$CONFIG" "${FAST[@]}" --param mu_M --top -1
expect_rc "sensitivity --top -1" 2
expect_text "sensitivity --top -1: names the option and the range" "$ERR" "--top: -1 is not allowed" "0..2147483647"
if [[ "$ERR" == *1797693* ]]; then fail "sensitivity --top -1: no 300-digit bound" "$ERR"; else pass "sensitivity --top -1: no 300-digit bound"; fi
run_cli sens_at_nan sensitivity "$CONFIG" "${FAST[@]}" --param mu_M --at nan
expect_rc "sensitivity --at nan" 2
expect_text "sensitivity --at nan: a day >= 0" "$ERR" "--at: nan is not allowed: give a day >= 0"
run_cli sens_at_late sensitivity "$CONFIG" "${FAST[@]}" --param mu_M --at 1000
expect_rc "sensitivity --at after the run's end" 2
expect_text "sensitivity --at 1000: after the end" "$ERR" "--at: = 1000: is after the run's end (day 30)"
run_cli calib_evals calibrate --targets "$SRC/configs/validation/targets.toml" --max-evals 0 -o "$T/never.toml"
expect_rc "calibrate --max-evals 0 (NLopt reads 0 as no limit)" 2
expect_text "calibrate --max-evals 0: the range" "$ERR" "--max-evals: 0 is not allowed: give a whole number in 1..1000000"
run_cli calib_seed calibrate --targets "$SRC/configs/validation/targets.toml" --seed -1 -o "$T/never.toml"
expect_rc "calibrate --seed -1 (wrapped to 2^64-1)" 2
run_cli calib_starts calibrate --targets "$SRC/configs/validation/targets.toml" --starts 99999999999 -o "$T/never.toml"
expect_rc "calibrate --starts beyond an int" 2
expect_text "calibrate --starts: the range" "$ERR" "--starts: 99999999999 is not allowed: give a whole number in 1..1000"
if [ -e "$T/never.toml" ]; then fail "refused calibrations wrote nothing" "$(ls -l "$T/never.toml")"; else pass "refused calibrations wrote nothing"; fi

# SOURCE_DATE_EPOCH pins the file's `created` time; a value that overflows is ignored, not read
# as a date 219 million years ahead.
if command -v h5dump >/dev/null 2>&1; then
  mkdir -p "$T/epoch"
  created_with() {
    SOURCE_DATE_EPOCH=$1 "$CITSIM" run "$CONFIG" "${FAST[@]}" -q -o "$T/epoch/run.h5" </dev/null &&
      h5dump -a /created "$T/epoch/run.h5" | grep -oE '"[^"]*Z"'
  }
  created=$(created_with 86400)
  if [ "$created" = '"1970-01-02T00:00:00Z"' ]; then pass "SOURCE_DATE_EPOCH=86400 pins created"; else fail "SOURCE_DATE_EPOCH=86400 pins created" "$created"; fi
  created=$(created_with 99999999999999999999)
  if [[ "$created" == \"$(date -u +%Y)-* ]]; then
    pass "SOURCE_DATE_EPOCH beyond 64 bits is ignored (created is now)"
  else
    fail "SOURCE_DATE_EPOCH beyond 64 bits is ignored (created is now)" "$created"
  fi
fi

report_totals
