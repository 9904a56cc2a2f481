#!/usr/bin/env bash
# Regenerate every figure, the animation, the example report and its screenshots from a clean
# clone: install what is missing, build, run the presets, draw.
#   results/figures/   every figure as PNG and SVG, profile.gif, the example reports and the explorer (HTML)
#   docs/images/       the pictures the README shows (PNG, GIF)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
scripts/figures/run_presets.sh build/release/citsim

py=/usr/bin/python3
plot="$py scripts/figures/citsim_plot.py"
P=results/presets
F=results/figures
mkdir -p "$F" docs/images

# 1. Figures (PNG + SVG).
$plot timeline "$P/pen_2mm.h5" -o "$F/timeline"
$plot wave "$P/single_session.h5" -o "$F/wave"
$plot heatmap "$P/pen_2mm.h5" -o "$F/heatmap_pen"
$plot heatmap "$P/home_roller_0.5mm.h5" -o "$F/heatmap_roller"
$plot compare "$P/spacing_2wk.h5" "$P/spacing_4wk.h5" "$P/spacing_6wk.h5" \
  --labels "every 2 weeks,every 4 weeks,every 6 weeks" -o "$F/spacing"
$plot compare "$P/pen_2mm.h5" "$P/home_roller_0.5mm.h5" --labels "pen 2.0 mm,home roller 0.5 mm" \
  --readouts firmness_gain,collagen_induction,erythema,dermis:M1+M2 -o "$F/devices"
$plot compare "$P/sessions_3.h5" "$P/sessions_6.h5" --labels "3 sessions,6 sessions" -o "$F/sessions"
$plot compare "$P/laxity_aging.h5" "$P/laxity_postpartum.h5" "$P/laxity_weight_loss.h5" \
  --labels "aging (60 y),postpartum (32 y),weight loss (45 y)" \
  --readouts firmness_gain,collagen_induction,elastin_change,R7 -o "$F/laxity"
$plot compare "$P/pen_2mm.h5" "$P/smoker.h5" "$P/no_sun_protection.h5" "$P/keloid_tendency.h5" \
  --labels "reference,smoker,no sun protection,keloid tendency" -o "$F/patients"
# A sweep heatmap: final firmness gain over needle length x density (3 x 3, 1D, both cores).
build/release/citsim sweep configs/sweeps/needle_density.toml -o results/sweeps/needle_density.h5 -q
$plot sweep results/sweeps/needle_density.h5 final_firmness_gain needle_length density -o "$F/sweep_needle_density"

# 2. The animation.
$plot animate "$P/pen_2mm.h5" -o "$F/profile.gif"

# 3. Example reports, checked in Chromium, with the screenshots.
build/release/citsim report "$P/pen_2mm.h5" "$P/home_roller_0.5mm.h5" -o "$F/report_devices.html" \
  --label "pen 2.0 mm" --label "home roller 0.5 mm"
build/release/citsim report "$P/spacing_2wk.h5" "$P/spacing_4wk.h5" "$P/spacing_6wk.h5" -o "$F/report_spacing.html"
$py tests/report/check_report_browser.py build/release/citsim . --page "$F/report_devices.html" --screenshots "$F"

# 4. The explorer page, checked in Chromium, with its screenshot.
build/release/citsim explorer -o "$F/explorer.html"
$py tests/explorer/check_explorer_browser.py build/release/citsim build/release/explorer/explorer.html --screenshots "$F"

# 5. The README's pictures.
for f in timeline wave heatmap_pen spacing devices report report_profile explorer; do cp "$F/$f.png" docs/images/; done
cp "$F/profile.gif" docs/images/
echo "figures in $F, README pictures in docs/images"
