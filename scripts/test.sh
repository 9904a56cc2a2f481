#!/usr/bin/env bash
# README command 2: install what is missing, build (Release) and run the whole test suite (ctest).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
cmake --workflow --preset release
