// A parameter ensemble: sets of values for some parameters of the table, each with a weight,
// that together describe what the evidence leaves open (docs/uncertainty.md). Plain data; the
// file format is io/ensemble_file.hpp, the bands it gives on a run ensemble/bands.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "citsim/model/parameters.hpp"

namespace citsim {

struct ParameterEnsemble {
  std::vector<std::string> parameters;       ///< names in the parameter table
  std::vector<std::vector<double>> members;  ///< member × parameter, in `parameters` order
  std::vector<double> weights;               ///< one per member, > 0 (normalised where used)
  std::string method;                        ///< how it was built, e.g. "abc-smc"
  std::string source;                        ///< what it was built from, in words
};

/// Throws std::invalid_argument naming the member and the parameter for an unknown or repeated
/// name, a value outside the table's range, a row of another length, a weight that is not a
/// positive finite number, or no member at all.
void check_ensemble(const ParameterEnsemble& e);

/// `base` with member k's values, except those named in `keep` (a config's own overrides stay).
Parameters member_parameters(const Parameters& base, const ParameterEnsemble& e, std::size_t k,
                             const std::vector<std::string>& keep = {});

}  // namespace citsim
