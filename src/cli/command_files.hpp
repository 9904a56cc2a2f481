// The files a command reads, named for the output rule (citsim/io/file_rules.hpp): no output may
// replace one of them.
#pragma once

#include <vector>

#include "citsim/io/config.hpp"
#include "citsim/io/file_rules.hpp"
#include "citsim/sweep/spec.hpp"

namespace citsim::cli {

/// A run config and the parameter table it names.
inline std::vector<NamedFile> files_read_by(const RunConfig& config) {
  std::vector<NamedFile> files{{config.source_path, "the config"}};
  if (!config.parameter_file.empty())
    files.push_back({config.parameter_file, "the parameter table (model.parameter_file)"});
  return files;
}

/// A sweep spec, its base config and the base's parameter table.
inline std::vector<NamedFile> files_read_by(const sweep::SweepSpec& spec, const RunConfig& base) {
  std::vector<NamedFile> files{{spec.path, "the sweep spec"}, {spec.base_path, "the base config of the spec"}};
  if (!base.parameter_file.empty())
    files.push_back({base.parameter_file, "the parameter table (model.parameter_file)"});
  return files;
}

}  // namespace citsim::cli
