// Parameter ensemble files (configs/ensemble.toml, and those `citsim run --ensemble` names):
// which parameters vary, and a row of values and a weight per member, with how the ensemble was
// built (docs/uncertainty.md).
//
//   method = "abc-smc"
//   source = "..."
//   parameters = ["mu_M", "k_12"]
//   [[member]]
//   weight = 1.0
//   values = [0.156, 0.199]
#pragma once

#include <string>

#include "citsim/ensemble/parameter_ensemble.hpp"

namespace citsim {

/// Read and check an ensemble file. Throws ConfigError naming the file, the line, the key, the
/// value and what is allowed (unknown parameters, values outside the table's ranges, rows of
/// another length, weights that are not positive).
ParameterEnsemble read_ensemble_file(const std::string& path);

/// Parse ensemble text; `path` names it in messages.
ParameterEnsemble parse_ensemble(const std::string& text, const std::string& path);

/// Write `e` atomically; `header` becomes its leading comment lines. Values are written so that
/// they read back to the same doubles.
void write_ensemble_file(const std::string& path, const ParameterEnsemble& e, const std::string& header);

}  // namespace citsim
