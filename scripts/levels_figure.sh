#!/usr/bin/env bash
# The comparison of model levels in docs/model.md ("How close it comes"): dermal collagen
# induction and firmness gain over the default course (six pen sessions, 2 mm, 250/cm², one
# year) for the 1D mean field, the 1D closure (cylinders and slits, its default 8 shells), the 2D
# cross-section averaged over eight seeds and the 3D patch averaged over three seeds. 2D and 3D run
# on coarse grids (2D: 0.05 × 0.04 mm cells, 3D: 0.1 × 0.1 × 0.05 mm), stated in the figure's title.
#   scripts/levels_figure.sh [citsim binary]   → docs/images/levels-closure.png, results/levels/
# Prints the table at days 90, 180 and 365 with each level's difference from its explicit runs.
# About 12 minutes of CPU (7 minutes on two idle cores), most of it the 3D runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
citsim=${1:-build/release/citsim}
out=results/levels
mkdir -p "$out" docs/images
run() { "$citsim" run -q "$@"; }

run configs/default.toml --set numerics.closure=mean-field -o "$out/1d-mean-field.h5"
run configs/default.toml -o "$out/1d-core-surround.h5"
run configs/default.toml --set numerics.closure=core-surround-slits -o "$out/1d-core-surround-slits.h5"
two_d=() two_d_labels=()
for seed in 1 2 3 4 5 6 7 8; do
  run configs/presets/cross-section.toml --set seed=$seed --set numerics.dx=0.05 --set numerics.dz=0.04 \
    --set output.profile_dt=365 -o "$out/2d-seed$seed.h5"
  two_d+=("$out/2d-seed$seed.h5") two_d_labels+=("2D seeds 1-8")
done
three_d=() three_d_labels=()
for seed in 1 2 3; do
  run configs/presets/patch-3d.toml --set seed=$seed --set numerics.dx=0.1 --set numerics.dz=0.05 \
    --set output.profile_dt=365 -o "$out/3d-seed$seed.h5"
  three_d+=("$out/3d-seed$seed.h5") three_d_labels+=("3D seeds 1-3")
done

/usr/bin/python3 scripts/plot_levels.py "$out/1d-mean-field.h5" "$out/1d-core-surround.h5" \
  "$out/1d-core-surround-slits.h5" "${two_d[@]}" "${three_d[@]}" \
  --labels "1D mean field" "1D closure, cylinders (default)" "1D closure, slits" \
  "${two_d_labels[@]}" "${three_d_labels[@]}" \
  --title "default course; 2D cells 0.05 x 0.04 mm, 3D cells 0.1 x 0.1 x 0.05 mm (coarse)" \
  --days 90 180 365 --reference "3D seeds 1-3" --reference "1D closure, slits=2D seeds 1-8" \
  -o docs/images/levels-closure.png
