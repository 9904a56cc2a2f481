#!/usr/bin/env bash
# Sweep throughput and scaling, the figures of docs/cluster.md ("How big a sweep fits"):
#   1. a 1D sweep of RUNS default runs (needle length from 0.8 to 2.2 mm) on 1 then 2 threads:
#      wall and CPU seconds, seconds per run, parallel efficiency = T1 / (2 T2);
#   2. a 0D sweep of 1000 runs on 2 threads (the engine's own cost per run, max RSS), and the
#      same sweep as 4 shards merged (merge time, real copy and virtual);
#   3. max RSS for 200 and 2000 0D runs (memory must not grow with the number of runs).
#
#   bench/sweep_scaling.sh [CITSIM] [RUNS]      (defaults: build/release/citsim, 8)
#
# On a shared machine the wall times include other work: compare CPU seconds too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
citsim=$(realpath "${1:-$here/build/release/citsim}")
runs=${2:-8}
t=$(mktemp -d "${TMPDIR:-/tmp}/citsim_sweep_bench.XXXXXX")
trap 'rm -rf "$t"' EXIT
cat >"$t/len.toml" <<SPEC
base = "$here/configs/default.toml"
[[axis]]
key = "needle_length"
range = [0.8, 2.2]
steps = $runs
SPEC
cat >"$t/lhs.toml" <<SPEC
base = "$here/configs/default.toml"
set = ["model.level=0d"]
[design]
kind = "latin_hypercube"
runs = RUNS
[[axis]]
key = "needle_length"
range = [0.5, 2.5]
[[axis]]
key = "k_tx"
range = [2e-4, 1e-3]
SPEC
measure() {  # measure LABEL CMD... -> "LABEL wall user sys maxrss_kB"
  local label=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$t/time" "$@" >/dev/null
  read -r wall user sys rss <"$t/time"
  printf '%-34s wall %8.2f s  cpu %8.2f s  max RSS %7d kB\n' "$label" "$wall" "$(awk "BEGIN{print $user + $sys}")" "$rss"
  echo "$wall $(awk "BEGIN{print $user + $sys}")" >"$t/last"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)"
measure "1d, $runs runs, 1 thread" "$citsim" sweep "$t/len.toml" -o "$t/l1.h5" -j 1 -q
read -r w1 c1 <"$t/last"
measure "1d, $runs runs, 2 threads" "$citsim" sweep "$t/len.toml" -o "$t/l2.h5" -j 2 -q
read -r w2 c2 <"$t/last"
awk -v w1="$w1" -v w2="$w2" -v c1="$c1" -v c2="$c2" -v n="$runs" 'BEGIN {
  printf "1d: %.2f s a run serial, %.2f s cpu a run; efficiency 1->2 threads: wall %.1f %%, cpu %.1f %%\n", w1 / n, c1 / n, 100 * w1 / (2 * w2), 100 * c1 / c2
  printf "1d: 1000 runs on 2 threads: %.1f min at this pace\n", 1000 * w2 / n / 60 }'
for n in 200 2000; do
  sed "s/RUNS/$n/" "$t/lhs.toml" >"$t/lhs$n.toml"
  measure "0d, $n runs, 2 threads" "$citsim" sweep "$t/lhs$n.toml" -o "$t/z$n.h5" -j 2 -q
done
sed "s/RUNS/1000/" "$t/lhs.toml" >"$t/lhs1000.toml"
measure "0d, 1000 runs, 2 threads" "$citsim" sweep "$t/lhs1000.toml" -o "$t/z1000.h5" -j 2 -q
for i in 0 1 2 3; do "$citsim" sweep "$t/lhs1000.toml" -o "$t/s.h5" --shard "$i/4" -j 2 -q; done
measure "merge 4 shards of 1000 runs" "$citsim" merge -q -o "$t/m.h5" "$t"/s.shard-*-of-4.h5
measure "merge 4 shards, --virtual" "$citsim" merge -q --virtual -o "$t/v.h5" "$t"/s.shard-*-of-4.h5
ls -l "$t/z1000.h5" "$t/m.h5" "$t/v.h5" | awk '{printf "%-40s %10d bytes\n", $NF, $5}' | sed "s|$t/||"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
