// Fitting free parameters to calibration targets (docs/validation.md): a loss built from the
// targets, minimised by NLopt's BOBYQA within each parameter's allowed range, from a seeded set
// of starting points. Deterministic: the same targets, start and options give the same fit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "citsim/cancel.hpp"
#include "citsim/io/parameter_file.hpp"
#include "citsim/model/parameters.hpp"
#include "citsim/validation/metrics.hpp"

namespace citsim {

struct FreeParameter {
  std::string name;  ///< a parameter-table name
  double lo, hi;     ///< search range (within the table's allowed range)
  bool log_scale;    ///< search in log space (ranges over a decade, lo > 0)
};

/// The calibrated parameters of docs/model.md §3 with the ranges it allows.
std::vector<FreeParameter> default_free_parameters();

/// A value's place in a free parameter's range, 0 at lo and 1 at hi (logarithmic for log_scale),
/// and back (clamped to the range): the coordinates the fit and the ensembles search in.
double to_unit(double value, const FreeParameter& f);
double from_unit(double x, const FreeParameter& f);

/// `name` or `name:lo:hi`, for the CLI's --free.
FreeParameter parse_free_parameter(const std::string& text);

struct CalibrationOptions {
  std::vector<FreeParameter> free = default_free_parameters();
  int max_evaluations = 300;  ///< per start
  int starts = 1;             ///< the first starts from the current values, the rest at random
  std::uint64_t seed = 1;
  double margin = 0.1;        ///< a metric within this share of an edge of its interval costs
  double xtol_rel = 1e-4;
  std::vector<std::string> overrides;  ///< "key=value" applied to every scenario (`--set`)
  /// Targets evaluated at once in a loss evaluation (0: OpenMP's default); the fit does not
  /// depend on it.
  int threads = 0;
  /// Polled inside every scenario run: once set, the fit throws Interrupted.
  const CancelFlag* cancel = nullptr;
};

/// The loss of one target: 0 well inside its interval, growing quadratically outside the inner
/// (1 − margin) part (in log space for intervals spanning a decade or more).
double target_loss(double value, const Target& t, double margin);

struct CalibrationResult {
  Parameters fitted;
  Parameters start;
  double loss = 0.0;
  double start_loss = 0.0;
  int evaluations = 0;
  std::vector<MetricValue> metrics;  ///< at the fit, in target order
};

using CalibrationProgress = std::function<void(int evaluation, double loss, double best)>;

/// Fit `options.free` of `start` so the targets' metrics, from the scenarios in `scenario_dir`,
/// fall inside their intervals. Parameter sets that make rest unstable (G(v_max) ≥ 1) or make a
/// run fail are penalised, never accepted.
CalibrationResult calibrate(const std::vector<Target>& targets, const std::string& scenario_dir,
                            const Parameters& start, const CalibrationOptions& options,
                            const CalibrationProgress& progress = {});

/// The loss of `params` against the targets (the function `calibrate` minimises): the scenarios
/// with `options.overrides`, their free parameters set from `params`.
double calibration_loss(const std::vector<Target>& targets, const std::string& scenario_dir,
                        const Parameters& params, const CalibrationOptions& options,
                        std::vector<MetricValue>* metrics = nullptr);

/// The parameter table a fit writes (write_parameter_file): the table `first` started from (its
/// `parameter_table`), each free parameter's entry replaced by its fitted value with unit and
/// provenance ("fitted in [lo, hi] to TARGETS_LABEL: ids"); the others keep theirs.
std::vector<FittedValue> fitted_parameter_table(const RunConfig& first, const std::vector<Target>& targets,
                                                const std::string& targets_label, const CalibrationOptions& options,
                                                const CalibrationResult& result);

/// The config of the first target's scenario with `overrides`: its parameters are where a fit
/// starts (so a `model.parameter_file` or `model.parameters` override is the start), its
/// parameter table what a written table extends.
RunConfig starting_config(const std::vector<Target>& targets, const std::string& scenario_dir,
                          const std::vector<std::string>& overrides);

}  // namespace citsim
