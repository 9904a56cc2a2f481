// The fitted parameter table (configs/parameters.toml): values that replace the specification's
// defaults, each with unit and provenance. `citsim calibrate` writes it; the build embeds it, so
// every run starts from it unless a config overrides a value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "citsim/model/parameters.hpp"

namespace citsim {

struct FittedValue {
  std::string name;
  double value;
  std::string unit;
  std::string source;  ///< "fitted: <targets>" or where the value comes from
};

/// Parse a parameter file: one table per parameter, `[name]` with value, unit, source.
/// Names and values are checked against the parameter table (ConfigError names file and key).
std::vector<FittedValue> parse_parameter_file(const std::string& text, const std::string& path);

/// The table embedded at build time from configs/parameters.toml.
std::vector<FittedValue> embedded_parameter_file();

/// How messages name the built-in table.
inline constexpr const char* kEmbeddedParameterFileName = "configs/parameters.toml (built in)";

/// Its text, as the build embedded it (recorded in every output file that uses it).
std::string_view embedded_parameter_text();

/// The specification's defaults with the embedded fitted table applied: what runs start from.
Parameters fitted_defaults();

/// Write a parameter file atomically; `header` becomes its leading comment lines.
void write_parameter_file(const std::string& path, const std::vector<FittedValue>& values,
                          const std::string& header);

}  // namespace citsim
