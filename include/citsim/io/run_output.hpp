// The HDF5 output contract of a run (docs/file-format.md): which names hold what.
#pragma once

#include <string>

#include "citsim/ensemble/bands.hpp"
#include "citsim/io/hdf5_file.hpp"
#include "citsim/run.hpp"

namespace citsim {

/// Everything a run's file holds, as plain data for `write_hdf5`.
FileContents run_file_contents(const RunResult& result, const RunConfig& config);

/// The bands of a parameter ensemble (ensemble/bands.hpp) under /bands: every readout over
/// (quantile, time), each member's end values, weights and failures.
void add_bands(FileContents& contents, const EnsembleBands& bands);

/// Write the run atomically to `path`, with its bands if given; a 2D/3D run also gets its XDMF
/// sidecar (xdmf.hpp), and the two are replaced together or not at all (commit_together).
void write_run(const std::string& path, const RunResult& result, const RunConfig& config,
               const EnsembleBands* bands = nullptr);

}  // namespace citsim
