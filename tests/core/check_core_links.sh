#!/usr/bin/env bash
# citsim_core needs no HDF5, toml++, MPI or NLopt: not in the target's link interface as CMake
# resolved it, not among the archive's undefined symbols, not among the shared libraries of a
# program linked to the core alone. The same symbol check must find HDF5 and toml++ in the full
# library (libcitsim_io.a), so a pattern that matches nothing cannot pass unnoticed.
#
#   check_core_links.sh LINK_LIBRARIES_FILE libcitsim_core.a libcitsim_io.a citsim_core_only
# Exit 0 when clean, 1 naming what was found, 77 (skipped) without nm or ldd.
set -u
links_file=$1 core=$2 full=$3 program=$4
for tool in nm ldd; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found (apt-get install binutils libc-bin)"; exit 77; }
done
forbidden='hdf5|toml|mpi|nlopt'
symbols='(^| )(H5[A-Z]|MPI_|ompi_|nlopt)|toml::'
status=0

echo "citsim_core links: $(tr '\n' ' ' <"$links_file")"
if grep -Eiq "$forbidden" "$links_file"; then
  echo "FAILED: citsim_core's link libraries name $(grep -Eio "$forbidden" "$links_file" | sort -u | tr '\n' ' ')"
  status=1
fi

core_hits=$(nm -u -C "$core" | grep -E "$symbols" | sort -u)
if [[ -n $core_hits ]]; then
  echo "FAILED: libcitsim_core.a needs symbols of HDF5, toml++, MPI or NLopt:"
  echo "$core_hits" | head -20
  status=1
else
  echo "libcitsim_core.a: no undefined HDF5, toml++, MPI or NLopt symbol"
fi
full_hits=$(nm -u -C "$full" | grep -E "$symbols" | grep -c .)
if (( full_hits == 0 )); then
  echo "FAILED: the symbol check finds nothing in libcitsim_io.a either: it cannot see what it looks for"
  status=1
else
  echo "(libcitsim_io.a, for comparison: $full_hits such symbols)"
fi

libs=$(ldd "$program" | awk '{print $1}')
if grep -Eiq "$forbidden" <<<"$libs"; then
  echo "FAILED: $program loads $(grep -Ei "$forbidden" <<<"$libs" | tr '\n' ' ')"
  status=1
else
  echo "$(basename "$program") loads: $(tr '\n' ' ' <<<"$libs")"
fi
exit $status
