#!/usr/bin/env bash
# Time the 2D and 3D presets: wall time, CPU time and peak memory of one simulated year each.
#
#   bench/spatial.sh [CITSIM] [OUTDIR]     (defaults: build/release/citsim, results/bench/spatial)
#
# Targets (2 cores): 2D cross-section (4 mm, 20 um, ~29 000 cells) under 60 s and 1 GB; 3D patch
# (2 x 2 mm, 40 um, ~180 000 cells) under 15 minutes. Set SPATIAL_LEVELS="2d" to skip the 3D run.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
citsim="${1:-$here/build/release/citsim}"
out="${2:-$here/results/bench/spatial}"
mkdir -p "$out"
for level in ${SPATIAL_LEVELS:-2d 3d}; do
  case "$level" in
    2d) preset="$here/configs/presets/cross-section.toml" ;;
    3d) preset="$here/configs/presets/patch-3d.toml" ;;
    *) echo "unknown level $level (2d or 3d)" >&2; exit 2 ;;
  esac
  log="$out/$level.time"
  /usr/bin/time -v "$citsim" run "$preset" -o "$out/$level.h5" --quiet 2> "$log"
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  user=$(grep 'User time' "$log" | awk '{print $NF}')
  sys=$(grep 'System time' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$log" | awk '{print $NF}')
  awk -v l="$level" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN { printf "%s  wall %s  cpu %.1f s  peak RSS %.0f MB  (load %s)\n", l, w, u + s, r / 1024, load }'
done
