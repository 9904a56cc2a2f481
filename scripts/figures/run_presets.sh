#!/usr/bin/env bash
# Run every 0D/1D preset in configs/presets/ into results/presets/NAME.h5 (a few seconds each).
# The 2D and 3D presets (cross-section, stretch-marks, patch-3d) take a minute and a quarter of an hour: run them
# by hand, e.g. citsim run configs/presets/cross-section.toml.
#   scripts/figures/run_presets.sh [CITSIM]     default CITSIM: build/release/citsim
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
citsim="${1:-build/release/citsim}"
[ -x "$citsim" ] || { echo "run_presets: no $citsim (build first: cmake --workflow --preset release)" >&2; exit 2; }
mkdir -p results/presets
for preset in configs/presets/*.toml; do
  name=$(basename "$preset" .toml)
  if grep -Eq '^level *= *"(2d|3d)"' "$preset"; then echo "  skipped $name (2D/3D: run it by hand)"; continue; fi
  "$citsim" run "$preset" -o "results/presets/$name.h5" --quiet
  echo "  results/presets/$name.h5"
done
