#!/usr/bin/env bash
# citsim's benchmarks in one command (bench/README.md): install what is missing (scripts/setup.sh
# with bench/packages.txt), build the `bench` preset (Release, benchmarks on, tests off), run the
# micro benchmarks, the whole runs, the scaling cases and the peers (SUNDIALS CVODE, SciPy), print
# the tables and write results/bench/{results.json,results.csv,micro.json,table.md}.
#
#   scripts/bench.sh [--quick] [--profile] [--update-readme] [--out DIR] [--peer-cap S] [--peer-budget S]
#
#   --quick          fewer repetitions: a smoke test of the whole pipeline (~5 min)
#   --update-readme  also replace the results section of bench/README.md with this run's tables
#                    (a full run only; run it on a quiet machine)
#   --profile        also count instructions per part of the 0D and 1D runs under callgrind
# A full run takes about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in
  -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

scripts/setup.sh bench/packages.txt
cmake --preset bench >/dev/null
cmake --build --preset bench --parallel "$(nproc)"
# The RHS-counting driver links through -Wl,--wrap on the kinetics' mangled names: if their
# signatures change it no longer links, and the counts are reported as n/a instead.
if ! cmake --build --preset bench --target citsim_bench_count >build/bench/count-build.log 2>&1; then
  rm -f build/bench/bench/citsim_bench_count
  echo "bench: citsim_bench_count did not link (see build/bench/count-build.log); RHS counts will be n/a" >&2
fi
exec /usr/bin/python3 bench/py/run_bench.py --build build/bench/bench "$@"
