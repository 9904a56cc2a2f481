// The XDMF sidecar of a 2D/3D run: a small XML file beside the HDF5 file that tells ParaView
// (and VisIt) how to read every /fields/<species> dataset as a time series on the grid, so the
// fields open with one click. It points into the HDF5 file; it holds no numbers of its own.
#pragma once

#include <string>

#include "citsim/run.hpp"

namespace citsim {

/// The sidecar's path for an HDF5 path: `.h5` replaced by `.xmf` (appended otherwise).
std::string xdmf_path(const std::string& h5_path);

/// XDMF 2 text: a temporal collection of uniform grids, one per profile time, each with every
/// species as a node-centred scalar read from `h5_name` (a path relative to the sidecar) by a
/// hyperslab of /fields/<species>.
std::string xdmf_text(const RunResult& result, const std::string& h5_name);

/// Write the sidecar of `h5_path` atomically (temporary name, then rename). Throws IoError.
void write_xdmf(const std::string& h5_path, const RunResult& result);

}  // namespace citsim
