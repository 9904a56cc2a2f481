#!/usr/bin/env bash
# Run every preset in configs/presets/ into results/presets/NAME.h5 (about a second each).
#   scripts/figures/run_presets.sh [CITSIM]     default CITSIM: build/release/citsim
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
citsim="${1:-build/release/citsim}"
[ -x "$citsim" ] || { echo "run_presets: no $citsim (build first: cmake --workflow --preset release)" >&2; exit 2; }
mkdir -p results/presets
for preset in configs/presets/*.toml; do
  name=$(basename "$preset" .toml)
  "$citsim" run "$preset" -o "results/presets/$name.h5" --quiet
  echo "  results/presets/$name.h5"
done
