// The files a command reads, named for the output rule (citsim/io/file_rules.hpp): no output may
// replace one of them.
#pragma once

#include <vector>

#include "citsim/io/config.hpp"
#include "citsim/io/file_rules.hpp"

namespace citsim::cli {

/// A run config and the parameter table it names.
inline std::vector<NamedFile> files_read_by(const RunConfig& config) {
  std::vector<NamedFile> files{{config.source_path, "the config"}};
  if (!config.parameter_file.empty())
    files.push_back({config.parameter_file, "the parameter table (model.parameter_file)"});
  return files;
}

}  // namespace citsim::cli
