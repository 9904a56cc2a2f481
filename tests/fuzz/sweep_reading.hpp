// The reading the HDF5 targets share: what `citsim merge` does with one shard, and what a run
// file that `read_run_file` accepted must hold.
#pragma once

#include <string>

#include "citsim/report/run_file.hpp"

namespace citsim::fuzz {

/// `citsim merge -o merged shard`: the layout, the status column (no pending runs), the final
/// file, its sensitivity indices; then checks the merged file against the shard.
void merge_like_cli(const std::string& shard, const std::string& merged);

/// Throws Finding if an accepted run file breaks the reader's contract (shapes agree, the needed
/// readouts and the session times are there).
void check_run_file(const RunFile& run);

/// Throws Finding if any HDF5 file or object is still open: a reader that returned or threw must
/// have closed every handle (a leaked handle also keeps the file open, under H5F_CLOSE_SEMI for
/// good).
void require_nothing_open();

}  // namespace citsim::fuzz
