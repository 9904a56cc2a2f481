#!/usr/bin/env bash
# README command 1: install what is missing, build (Release), run configs/default.toml and plot it.
# Writes results/default.h5 and results/default.png.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
build/release/citsim run configs/default.toml -o results/default.h5
/usr/bin/python3 scripts/plot_run.py results/default.h5 -o results/default.png
