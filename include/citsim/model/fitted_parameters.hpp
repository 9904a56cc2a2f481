// The fitted parameter values runs start from (configs/parameters.toml, docs/model.md §3). The
// build turns that file into C++ (cmake/embed_parameters.cpp), so the values, and the text that
// every output records, need no TOML parser at run time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "citsim/model/parameters.hpp"

namespace citsim {

/// One fitted value of a parameter table: `[name]` with value, unit and source.
struct FittedValue {
  std::string name;
  double value;
  std::string unit;
  std::string source;  ///< "fitted: <targets>" or where the value comes from
};

/// The table built in from configs/parameters.toml, as parse_parameter_file reads it.
std::vector<FittedValue> embedded_parameter_file();

/// How messages name the built-in table.
inline constexpr const char* kEmbeddedParameterFileName = "configs/parameters.toml (built in)";

/// Its text, as the build embedded it (recorded in every output file that uses it).
std::string_view embedded_parameter_text();

/// The specification's defaults with the built-in fitted table applied: what runs start from.
Parameters fitted_defaults();

/// A parameter as runs start from it (`citsim params`, `citsim.params()`).
struct ParameterDefault {
  const ParameterSpec* spec;  ///< its row of parameter_table()
  double value;               ///< the built-in fitted value, or spec->default_value
  std::string source;         ///< the fitted table's source, or spec->source
  bool fitted;                ///< whether the built-in table sets it
};

/// Every parameter of parameter_table(), in its order, with its starting value and source.
std::vector<ParameterDefault> parameter_defaults();

}  // namespace citsim
