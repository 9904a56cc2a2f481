// Global-sensitivity indices of a finished Morris or Saltelli sweep, per outcome and parameter,
// and their ranked text table. Failed runs (NaN outcomes) drop out as sensitivity.hpp says.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "citsim/sweep/design.hpp"

namespace citsim::sweep {

struct SensitivityTable {
  std::string method;                    ///< "morris" or "sobol"; empty for other designs
  std::vector<std::string> index_names;  ///< morris: mu_star, mu, sigma; sobol: ST, S1, ST_conf, S1_conf
  /// values[index][outcome][parameter]
  std::vector<std::vector<std::vector<double>>> values;
  std::vector<std::int64_t> used;  ///< per outcome: trajectories (morris) or base rows (sobol) used
};

/// `outcomes` is rows × outcome_count, row-major, rows in run order of the whole design.
SensitivityTable analyse_sensitivity(const DesignSpec& design, int factors,
                                     const std::vector<double>& outcomes, int outcome_count);

/// Per outcome, the parameters ranked by mu* (morris) or ST (sobol), with every index.
std::string format_sensitivity(const SensitivityTable& table,
                               const std::vector<std::string>& parameter_names,
                               const std::vector<std::string>& outcome_names);

}  // namespace citsim::sweep
