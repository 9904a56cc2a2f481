// Fuzz targets: raw bytes given to `citsim report` (a run file) and `citsim merge` (a shard).
// Most of what these reach is libhdf5's own parser; see docs/reliability.md for what it does
// with malformed files and what citsim checks before trusting it.
#include <hdf5.h>

#include <string>

#include "citsim/report/run_file.hpp"
#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"
#include "sweep_reading.hpp"

namespace citsim::fuzz {

int run_file_bytes(const std::uint8_t* data, std::size_t size) {
  const std::string path = scratch_path("bytes-run.h5");
  write_bytes(path, data, size);
  typed_errors_only([&] { check_run_file(read_run_file(path)); });
  require_nothing_open();
  H5garbage_collect();  // libhdf5 keeps freed blocks on free lists: give them back after each input
  return 0;
}

int sweep_file_bytes(const std::uint8_t* data, std::size_t size) {
  const std::string path = scratch_path("bytes-shard.h5");
  write_bytes(path, data, size);
  typed_errors_only([&] { merge_like_cli(path, scratch_path("bytes-merged.h5")); });
  require_nothing_open();
  H5garbage_collect();  // libhdf5 keeps freed blocks on free lists: give them back after each input
  return 0;
}

}  // namespace citsim::fuzz
