#!/usr/bin/env bash
# `citsim report` as a user meets it: exit codes, messages naming the file, nothing written on
# bad input, the page written atomically.
#   bash tests/report/test_report_cli.sh <citsim-binary> <source-dir>
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"  # CITSIM, SRC, T, pass/fail, report_totals
test_arguments 2 2 "<citsim-binary> <source-dir>" "$@"
make_test_dir citsim_report_cli
ok() { if eval "$2"; then pass "$1"; else fail "$1" "rc=$RC stderr: $ERR"; fi; }
run() { "$CITSIM" "$@" >"$T/out" 2>"$T/err"; RC=$?; ERR=$(cat "$T/err"); OUT=$(cat "$T/out"); }

"$CITSIM" run "$SRC/configs/presets/single_session.toml" -o "$T/a.h5" --quiet \
  --set model.level=0d --set protocol.end_days=20 || { fail "citsim run"; report_totals; }

run report "$T/a.h5" -o "$T/deep/dir/page.html"
ok "a run gives a page, exit 0, directories created" '[ $RC -eq 0 ] && [ -s "$T/deep/dir/page.html" ]'
ok "the summary names the page" '[[ "$OUT" == *"$T/deep/dir/page.html"* ]]'
ok "no temporary file left beside it" '[ -z "$(ls "$T/deep/dir" | grep -v "^page.html$")" ]'

run report "$T/missing.h5" -o "$T/x.html"
ok "a missing run file: exit 2, named" '[ $RC -eq 2 ] && [[ "$ERR" == *missing.h5* ]] && [ ! -e "$T/x.html" ]'

echo "not hdf5" > "$T/notes.txt"
run report "$T/a.h5" "$T/notes.txt" -o "$T/x.html"
ok "a file that is not HDF5: exit 2, named, nothing written" \
  '[ $RC -eq 2 ] && [[ "$ERR" == *notes.txt*"not an HDF5 file"* ]] && [ ! -e "$T/x.html" ]'

/usr/bin/python3 -c "import h5py; h5py.File('$T/other.h5', 'w')['x'] = 1"
run report "$T/other.h5" -o "$T/x.html"
ok "an HDF5 file that is not a run: exit 2, says what is missing" \
  '[ $RC -eq 2 ] && [[ "$ERR" == *other.h5*"no attribute"* ]] && [ ! -e "$T/x.html" ]'

# citsim's other files say what they are and what to do with them (once: "no attribute 'model_level'").
"$CITSIM" sweep "$SRC/configs/sweeps/needle_density.toml" --set model.level=0d --set protocol.end_days=60 \
  --set protocol.series.count=2 -o "$T/sweep.h5" -q -j 1 </dev/null || fail "citsim sweep"
run report "$T/sweep.h5" -o "$T/x.html"
ok "a sweep file: exit 2, says it is a sweep file and how to plot it, nothing written" \
  '[ $RC -eq 2 ] && [[ "$ERR" == *sweep.h5*"a sweep file"*"citsim_plot.py sweep"* ]] && [ ! -e "$T/x.html" ]'
"$CITSIM" sensitivity "$SRC/configs/default.toml" --set model.level=0d --set protocol.end_days=30 \
  --set protocol.series.count=1 --param k_tx -o "$T/sens.h5" -q -j 1 </dev/null >/dev/null || fail "citsim sensitivity"
run report "$T/sens.h5" -o "$T/x.html"
ok "a sensitivity table: exit 2, says what it is" \
  '[ $RC -eq 2 ] && [[ "$ERR" == *sens.h5*"a sensitivity table"* ]] && [ ! -e "$T/x.html" ]'

run report "$T/a.h5" "$T/a.h5" --label one -o "$T/x.html"
ok "labels that do not match the runs: exit 2" '[ $RC -eq 2 ] && [[ "$ERR" == *"1 labels for 2 runs"* ]] && [ ! -e "$T/x.html" ]'

echo "old" > "$T/keep.html"
run report "$T/notes.txt" -o "$T/keep.html"
ok "a failed report leaves an existing page as it was" '[ $RC -eq 2 ] && [ "$(cat "$T/keep.html")" = old ]'

run report "$T/a.h5" --label "A & <B>" -o "$T/l.html"
ok "labels are escaped in the page title" '[ $RC -eq 0 ] && grep -q "<title>citsim report: A &amp; &lt;B&gt;</title>" "$T/l.html"'

report_totals
