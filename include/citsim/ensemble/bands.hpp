// Prediction bands: a config run once per member of a parameter ensemble, and every readout's
// weighted quantiles over the members at each record time (docs/uncertainty.md).
#pragma once

#include <array>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "citsim/cancel.hpp"
#include "citsim/ensemble/parameter_ensemble.hpp"
#include "citsim/problem.hpp"

namespace citsim {

/// The quantiles a band reports unless asked otherwise: the 90 % and 50 % central intervals and
/// the median.
inline constexpr std::array<double, 5> kBandQuantiles = {0.05, 0.25, 0.5, 0.75, 0.95};

/// The q-quantile of `values` with `weights` (> 0): the weighted form of the linear interpolation
/// numpy and R use by default (Hyndman & Fan type 7). Sorted values v_i get positions
/// p_i = (c_i − w_i)/(W − w_n), c_i the cumulative weight and W the total; equal weights give
/// (i − 1)/(n − 1). Throws std::invalid_argument for no values, sizes that differ or q ∉ [0, 1].
double weighted_quantile(std::span<const double> values, std::span<const double> weights, double q);

/// One readout's band: `values` over (quantile × time), row-major; `end_values` each member's
/// value at the last record time (NaN for a member whose run failed).
struct ReadoutBand {
  std::string name, units, long_name;
  std::vector<double> values;
  std::vector<double> end_values;
};

struct EnsembleBands {
  std::vector<double> quantiles;
  std::vector<double> time;  ///< the run's record times
  std::vector<ReadoutBand> readouts;
  std::vector<double> weights;             ///< each member's normalised weight (0 if its run failed)
  std::vector<std::string> failures;       ///< each member's failure ("" if it ran)
  std::vector<std::string> held;           ///< ensemble parameters the config sets itself (kept at its value)
  std::string method, source;              ///< of the ensemble
};

/// Progress: members done of all.
using BandsProgress = std::function<void(int done, int total)>;

/// Runs `config` once per member of `e` (its parameters replaced by the member's, except those
/// the config itself sets), `threads` members at once (0: OpenMP's default; the bands do not
/// depend on it), and forms every readout's weighted quantiles at each record time. A member
/// whose run fails numerically is left out and named in `failures`; if every member fails the
/// first failure is thrown (NumericalError). `cancel` stops the runs (Interrupted).
EnsembleBands ensemble_bands(const RunConfig& config, const ParameterEnsemble& e,
                             std::span<const double> quantiles = kBandQuantiles, int threads = 0,
                             const CancelFlag* cancel = nullptr, const BandsProgress& progress = {});

}  // namespace citsim
