#!/usr/bin/env bash
# A fresh project (tests/install/consumer) finds the installed citsim with find_package, builds
# against citsim::core and citsim::io, and runs: each program checks its readouts.
#   test_consumer.sh PREFIX SOURCE_DIR WORK_DIR [FLAGS]
# FLAGS (compile and link): those citsim was built with that its users need too, the sanitizers'.
set -euo pipefail
prefix=$1 source=$2 work=$3 flags=${4:-}
rm -rf "$work"
options=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix")
command -v ninja >/dev/null && options+=(-G Ninja)
[[ -n $flags ]] && options+=("-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=$flags")
cmake -S "$source" -B "$work" "${options[@]}"
cmake --build "$work" -j2
"$work/core_consumer"
"$work/io_consumer"
