// A parameter ensemble from the calibration targets by approximate Bayesian computation with
// sequential Monte Carlo (ABC-SMC: Toni et al. 2009, J R Soc Interface 6:187; the adaptive
// tolerances and perturbation kernel of Beaumont et al. 2009, Biometrika 96:983).
//
// The targets are intervals, not measurements with errors, so the distance of a parameter set is
// how far its worst metric lies outside its interval, relative to the interval's half-width (in
// log space for intervals spanning a decade, as the calibration's loss): 0 when every target is
// met. The prior is uniform over each free parameter's range (log-uniform for ranges over a
// decade). Wave 0 draws the population from the prior; each later wave draws from the previous
// one, perturbed, and keeps what lies within a tolerance that falls to a quantile of the last
// wave's distances, until it reaches 0 (the population then samples the parameter sets that
// meet every target, weighted as that region's share of the prior) or the waves or the
// evaluations run out. docs/uncertainty.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "citsim/calibration/calibrate.hpp"
#include "citsim/cancel.hpp"
#include "citsim/ensemble/parameter_ensemble.hpp"
#include "citsim/validation/metrics.hpp"

namespace citsim {

struct AbcSmcOptions {
  std::vector<FreeParameter> free = default_free_parameters();
  int population = 64;          ///< members of every wave
  int max_waves = 10;
  int max_evaluations = 5000;   ///< parameter sets evaluated over all waves
  int batch = 16;               ///< drawn and evaluated together; the result depends on it, not on threads
  double quantile = 0.5;        ///< a wave's tolerance: this quantile of the last wave's distances
  std::uint64_t seed = 1;
  std::vector<std::string> overrides;  ///< "key=value" applied to every scenario (`--set`)
  int threads = 0;                     ///< parameter sets evaluated at once (0: OpenMP's default)
  const CancelFlag* cancel = nullptr;  ///< polled inside every run: Interrupted
};

/// Distance of a parameter set's metrics from the targets: the largest excursion of a metric
/// outside its interval in half-widths (log space for intervals over a decade); 0 if every
/// target is met, +∞ for a metric that is missing or not finite.
double target_distance(const std::vector<MetricValue>& metrics, const std::vector<Target>& targets);

struct AbcSmcWave {
  double tolerance;  ///< ∞ for wave 0 (the prior)
  int evaluated;     ///< parameter sets run in this wave
  int accepted;
  double effective_size;  ///< (Σw)²/Σw² of the wave's weights
};

struct AbcSmcResult {
  ParameterEnsemble ensemble;  ///< the last complete wave, weights normalised
  std::vector<double> distances;  ///< of the ensemble's members
  std::vector<AbcSmcWave> waves;
  int evaluations = 0;
  double tolerance = 0.0;  ///< that of the last wave (0: every member meets every target)
};

/// Progress: (wave, evaluations so far, accepted in this wave).
using AbcSmcProgress = std::function<void(int wave, int evaluations, int accepted)>;

/// Runs ABC-SMC for `options.free` over the targets' scenarios in `scenario_dir`, every other
/// parameter as `base` (the scenarios' own values otherwise). Deterministic for a seed, batch and
/// population, whatever the threads. Throws Interrupted when cancelled.
AbcSmcResult abc_smc(const std::vector<Target>& targets, const std::string& scenario_dir, const Parameters& base,
                     const AbcSmcOptions& options, const AbcSmcProgress& progress = {});

}  // namespace citsim
