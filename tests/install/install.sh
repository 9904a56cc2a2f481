#!/usr/bin/env bash
# `cmake --install` of this build into a fresh PREFIX (fixture of install.consumer and
# install.python): the program, headers, libraries, CMake package and Python package in place.
#   install.sh BUILD_DIR PREFIX PYTHON_DIR|-     (PYTHON_DIR relative to PREFIX; - without Python)
set -euo pipefail
build=$1 prefix=$2 pydir=$3
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1 || { cat "$prefix.log"; exit 1; }
expected=(bin/citsim include/citsim/run.hpp include/citsim/problem.hpp include/citsim/version.hpp
  include/citsim/io/config.hpp lib/libcitsim_core.a lib/libcitsim_io.a
  lib/cmake/citsim/citsimConfig.cmake lib/cmake/citsim/citsimConfigVersion.cmake
  lib/cmake/citsim/citsimCoreTargets.cmake lib/cmake/citsim/citsimIoTargets.cmake)
[[ $pydir != - ]] && expected+=("$pydir/citsim/__init__.py" "$pydir/citsim/_sweep.py")
status=0
for f in "${expected[@]}"; do
  [[ -e $prefix/$f ]] || { echo "FAILED: not installed: $f"; status=1; }
done
if [[ $pydir != - ]] && ! compgen -G "$prefix/$pydir/citsim/_citsim*.so" >/dev/null; then
  echo "FAILED: not installed: $pydir/citsim/_citsim*.so"
  status=1
fi
[[ -e $prefix/include/citsim/report ]] && { echo "FAILED: the report's headers are installed without their library"; status=1; }
"$prefix/bin/citsim" --version || status=1
echo "installed $(find "$prefix" -type f | wc -l) files into $prefix"
exit $status
