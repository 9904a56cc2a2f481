#!/usr/bin/env bash
# Bounded fuzzing of every citsim input (docs/reliability.md, "Fuzzing").
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Builds the `fuzz` preset (clang, libFuzzer, ASan, UBSan) in build/fuzz and runs each target for
# SECONDS (default 15) from its seeds with a fixed seed, memory and time limits. Inputs it finds
# that reach new code are kept in build/fuzz/corpus/<target>; a finding (crash, sanitizer report,
# leak, timeout, an exception other than citsim's typed errors) is written to
# build/fuzz/artifacts/<target>/ and makes the script fail. Copy a finding into
# tests/fuzz/regressions/<target>/ once it is fixed: the release tests replay it from then on.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${1:-15}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(config protocol sweep_spec run_file_bytes sweep_file_bytes run_file_structure sweep_file_structure)
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# Seeds as in tests/fuzz/test_fuzz_corpus.cpp: corpus, regressions, and the shipped configs.
seed_dirs() {
  local t="$1"
  echo "tests/fuzz/corpus/$t"
  [ -d "tests/fuzz/regressions/$t" ] && echo "tests/fuzz/regressions/$t"
  case "$t" in
    config) echo configs; echo configs/presets; echo configs/validation ;;
    sweep_spec) echo configs/sweeps ;;
  esac
}

failed=()
summary=()
for t in "${targets[@]}"; do
  work="build/fuzz/corpus/$t"
  artifacts="build/fuzz/artifacts/$t/"
  mkdir -p "$work" "$artifacts"
  log="build/fuzz/$t.log"
  mapfile -t seeds < <(seed_dirs "$t")
  echo "== fuzz-$t: ${seconds} s"
  rm -f "$artifacts"*
  # -seed: the same mutations on every run of the same binary. -fork=1 -ignore_crashes=1: go on
  # after a finding (libhdf5 crashes on some damaged files; see triage.py) and keep every one.
  # -timeout: an input taking over 10 s is a hang. -rss_limit_mb: memory per input.
  # -malloc_limit_mb above 4 GiB: libhdf5 allocates the length a variable-length string claims
  # (a 32-bit field) before reading it; what is really used is bounded by -rss_limit_mb.
  set +e
  ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0" LSAN_OPTIONS="suppressions=tests/fuzz/lsan.supp" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "build/fuzz/tests/fuzz/fuzz-$t" -seed=1 -fork=1 -ignore_crashes=1 -ignore_timeouts=0 -ignore_ooms=0 \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=4200 -max_len=65536 \
      -artifact_prefix="$artifacts" "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  mapfile -t found < <(find "$artifacts" -type f | sort)
  verdict="no findings"
  if [ ${#found[@]} -gt 0 ]; then
    echo "${#found[@]} finding(s) in fuzz-$t:"
    if /usr/bin/python3 tests/fuzz/triage.py "build/fuzz/tests/fuzz/fuzz-$t" "${found[@]}"; then
      verdict="${#found[@]} finding(s), none of them citsim's (libhdf5: docs/reliability.md)"
    else
      verdict="citsim finding(s)"
      failed+=("$t")
    fi
  elif [ "$rc" -ne 0 ]; then
    verdict="fuzzer exit $rc"
    failed+=("$t")
    tail -20 "$log"
  fi
  summary+=("$t: ${runs:-?} inputs, ${cov:-cov: ?}, $verdict")
done

echo "== fuzzing summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "findings in: ${failed[*]} (logs: build/fuzz/<target>.log)"
  exit 1
fi
