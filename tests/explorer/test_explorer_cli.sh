#!/usr/bin/env bash
# `citsim explorer` as a user meets it: the page written atomically where -o says, refused outputs
# with exit 2 and nothing written; a citsim built without the page (no emscripten, or the sanitizer
# build) says so with exit 2, naming what the build lacked.
#   bash tests/explorer/test_explorer_cli.sh <citsim-binary> <source-dir> ON|OFF
# The third argument: whether this build made the page (CITSIM_EXPLORER_MISSING empty).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"  # CITSIM, SRC, T, pass/fail, report_totals
test_arguments 3 3 "<citsim-binary> <source-dir> ON|OFF" "$@"
BUILT=$3
make_test_dir citsim_explorer_cli
ok() { if eval "$2"; then pass "$1"; else fail "$1" "rc=$RC stderr: $ERR"; fi; }
run() { "$CITSIM" "$@" >"$T/out" 2>"$T/err"; RC=$?; ERR=$(cat "$T/err"); OUT=$(cat "$T/out"); }

if [ "$BUILT" = ON ]; then
  run explorer -o "$T/deep/dir/explorer.html"
  ok "the page is written, exit 0, directories created" '[ $RC -eq 0 ] && [ -s "$T/deep/dir/explorer.html" ]'
  ok "the summary names the page and its size" '[[ "$OUT" == *"$T/deep/dir/explorer.html"*kB* ]]'
  ok "no temporary file left beside it" '[ -z "$(ls "$T/deep/dir" | grep -v "^explorer.html$")" ]'
  ok "one HTML page with the model inside" \
    '[ "$(head -c 15 "$T/deep/dir/explorer.html")" = "<!DOCTYPE html>" ] && grep -q "citsim-module" "$T/deep/dir/explorer.html"'
  ok "it names no address to fetch" '! grep -Eq "(src|href)=\"(https?:)?//" "$T/deep/dir/explorer.html"'
  (cd "$T" && "$CITSIM" explorer -q >"$T/out" 2>"$T/err"); RC=$?
  ok "without -o: explorer.html in the working directory, -q prints nothing" \
    '[ $RC -eq 0 ] && [ -s "$T/explorer.html" ] && [ ! -s "$T/out" ]'
  mkdir "$T/ro" && chmod a-w "$T/ro"
  if [ -w "$T/ro" ]; then
    skip "an unwritable directory (running as a user who may write anywhere)"
  else
    run explorer -o "$T/ro/explorer.html"
    ok "an unwritable directory: exit 2, named, nothing written" '[ $RC -eq 2 ] && [[ "$ERR" == *"$T/ro"* ]] && [ ! -e "$T/ro/explorer.html" ]'
  fi
  run explorer -o /dev/stdout
  ok "a device as the output: exit 2" '[ $RC -eq 2 ] && [ -n "$ERR" ]'
  run explorer -o /dev/full
  ok "/dev/full as the output: exit 2, named" '[ $RC -eq 2 ] && [[ "$ERR" == *"/dev/full"* ]]'
  echo "the page before" >"$T/old.html"
  (trap '' XFSZ; ulimit -f 8; exec "$CITSIM" explorer -o "$T/old.html") >"$T/out" 2>"$T/err"; RC=$?; ERR=$(cat "$T/err")
  ok "a file-size limit during the write: exit 2, File too large, the old file kept" \
    '[ $RC -eq 2 ] && [[ "$ERR" == *"File too large"* ]] && [ "$(cat "$T/old.html")" = "the page before" ]'
  ln -s old.html "$T/link.html"
  run explorer -o "$T/link.html" -q
  ok "-o a symbolic link: written through, the link stays" '[ $RC -eq 0 ] && [ -L "$T/link.html" ] && [ -s "$T/old.html" ] && [ "$(head -c 15 "$T/old.html")" = "<!DOCTYPE html>" ]'
else
  run explorer -o "$T/explorer.html"
  ok "built without the page: exit 2, says what the build lacked, nothing written" \
    '[ $RC -eq 2 ] && [[ "$ERR" == *"built without the explorer page"* ]] && [ ! -e "$T/explorer.html" ]'
fi
report_totals
