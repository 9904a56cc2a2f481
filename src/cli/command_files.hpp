// The files a command reads, named for the output rule (citsim/io/file_rules.hpp): no output may
// replace one of them.
#pragma once

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "citsim/io/config.hpp"
#include "citsim/io/file_rules.hpp"
#include "citsim/validation/targets.hpp"

namespace citsim::cli {

/// A run config and the parameter table it names.
inline std::vector<NamedFile> files_read_by(const RunConfig& config) {
  std::vector<NamedFile> files{{config.source_path, "the config"}};
  if (!config.parameter_file.empty())
    files.push_back({config.parameter_file, "the parameter table (model.parameter_file)"});
  return files;
}

/// Where the scenarios of a targets file are: `scenarios` if given, else beside the targets.
inline std::string scenario_dir(const std::string& targets_path, const std::string& scenarios) {
  if (!scenarios.empty()) return scenarios;
  const auto slash = targets_path.find_last_of('/');
  return slash == std::string::npos ? "." : targets_path.substr(0, slash);
}

/// A targets file and every file its scenarios read (with `overrides`), each named once.
inline std::vector<NamedFile> files_read_by(const std::string& targets_path, const std::vector<Target>& targets,
                                            const std::string& scenario_dir, const std::vector<std::string>& overrides) {
  std::vector<NamedFile> files{{targets_path, "the targets file (--targets)"}};
  std::set<std::string> seen;
  for (const Target& t : targets)
    if (seen.insert(t.scenario).second)
      for (NamedFile& f : files_read_by(load_config(scenario_dir + "/" + t.scenario + ".toml", overrides)))
        files.push_back({f.path, fmt::format("{} of the scenario '{}'", f.role, t.scenario)});
  return files;
}

}  // namespace citsim::cli
