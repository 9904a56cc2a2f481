// Parameter files (configs/parameters.toml and those `model.parameter_file` names): values that
// replace the specification's defaults, each with unit and provenance. `citsim calibrate` writes
// them. The built-in table and what runs start from are citsim/model/fitted_parameters.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "citsim/model/fitted_parameters.hpp"
#include "citsim/model/parameters.hpp"

namespace citsim {

/// Parse a parameter file: one table per parameter, `[name]` with value, unit, source.
/// Names and values are checked against the parameter table (ConfigError names file and key).
std::vector<FittedValue> parse_parameter_file(const std::string& text, const std::string& path);

/// Write a parameter file atomically; `header` becomes its leading comment lines.
void write_parameter_file(const std::string& path, const std::vector<FittedValue>& values,
                          const std::string& header);

}  // namespace citsim
