// Local sensitivities of a run's outcomes to every parameter (docs/validation.md): the
// normalised derivative S = d ln(outcome) / d ln(parameter) at the configured values, by a
// central difference in log-parameter. Each perturbed run is independent, so the result does not
// depend on the thread count.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "citsim/cancel.hpp"
#include "citsim/io/config.hpp"

namespace citsim {

struct SensitivityOptions {
  /// Readouts differentiated, taken at `at_day` (negative: the run's end).
  std::vector<std::string> outputs = {"firmness_gain", "collagen_induction"};
  double at_day = -1.0;
  /// Parameters perturbed (empty: every parameter of the table with a non-zero value).
  std::vector<std::string> parameters;
  /// The perturbation: p·exp(±log_step); one-sided where that leaves the allowed range.
  double log_step = 0.05;
  /// Polled by every run (optional); once set, local_sensitivities throws Interrupted.
  const CancelFlag* cancel = nullptr;
};

/// One parameter's row: its configured value and S for each output, or why it has none.
struct ParameterSensitivity {
  std::string name;
  std::string unit;
  double value = 0.0;
  std::vector<double> s;  ///< per output; NaN when `failure` is set
  std::string failure;    ///< a perturbed run could not be made (bad value, numerical failure)
};

struct SensitivityResult {
  std::vector<std::string> outputs;
  std::vector<double> base;                ///< the outputs at the configured values
  double at_day = 0.0;
  double log_step = 0.0;
  std::vector<ParameterSensitivity> rows;  ///< ranked: largest max_k |S_k| first, failures last
  int runs = 0;
};

/// Progress: (runs done, runs in all).
using SensitivityProgress = std::function<void(int, int)>;

/// Differentiate `options.outputs` of `config` with respect to each parameter. The outputs are
/// read at the record time nearest `at_day`. Throws ConfigError for an unknown parameter or
/// output name, and lets the base run's own errors through.
SensitivityResult local_sensitivities(const RunConfig& config, const SensitivityOptions& options,
                                      const SensitivityProgress& progress = {});

/// S from a central (or one-sided) difference: (y₊ − y₋) / ((ln p₊ − ln p₋) · y₀).
double normalised_difference(double y_minus, double y_plus, double log_p_minus, double log_p_plus,
                             double y0);

}  // namespace citsim
