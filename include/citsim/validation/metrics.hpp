// Metrics of the calibration targets, computed from scenario runs. Scenario runs are cached:
// a target that compares two runs (smoker vs non-smoker, age 25 vs 65) shares them with others.
#pragma once

#include <exception>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "citsim/run.hpp"
#include "citsim/validation/targets.hpp"

namespace citsim {

/// Runs `<dir>/<scenario>.toml` with overrides, once per distinct (scenario, overrides). Safe to
/// call from several threads: a run another thread has started is waited for, not run twice.
class ScenarioRunner {
 public:
  /// `adjust` is applied to every config after loading (calibration sets parameters here);
  /// `common` overrides ("key=value", as `--set`) apply to every scenario, before a target's own;
  /// `cancel` (optional) is polled by every run, which throws Interrupted once it is set.
  explicit ScenarioRunner(std::string scenario_dir, std::function<void(RunConfig&)> adjust = {},
                          std::vector<std::string> common = {}, const CancelFlag* cancel = nullptr);
  /// The run, or the exception its config or integration threw (again, to every caller).
  const RunResult& run(const std::string& scenario, const std::vector<std::string>& overrides = {});
  /// The config `run` integrates for (scenario, overrides): loaded, overridden and adjusted.
  RunConfig config(const std::string& scenario, const std::vector<std::string>& overrides = {}) const;
  std::size_t runs() const;

 private:
  std::string dir_;
  std::function<void(RunConfig&)> adjust_;
  std::vector<std::string> common_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_future<std::shared_ptr<const RunResult>>> cache_;
  const CancelFlag* cancel_ = nullptr;
};

struct MetricValue {
  double value;
  bool pass;
  std::string note;  ///< extra conditions, e.g. "peak at 2.4 h (must be <= 12 h)"
};

/// The metric kinds citsim knows (the ids of configs/validation/targets.toml).
std::vector<std::string> metric_kinds();

/// Compute a target's metric; throws ConfigError for an unknown kind.
MetricValue evaluate_target(const Target& target, ScenarioRunner& runner);

/// A target's metric, or why it has none: the exception its runs or its metric threw.
struct TargetOutcome {
  MetricValue metric{std::numeric_limits<double>::quiet_NaN(), false, {}};
  std::exception_ptr error;
};

/// Progress of evaluate_targets: targets done of all.
using TargetsProgress = std::function<void(int done, int total)>;

/// Every target's metric, in target order, the targets spread over `threads` (0: OpenMP's
/// default) with a run per thread; runs are shared through `runner`. Targets whose scenario is
/// 2D or 3D start first (the longest runs). The outcomes do not depend on the thread count. An
/// interruption (Interrupted) is thrown once every thread has stopped; other errors stay in
/// their target's outcome.
std::vector<TargetOutcome> evaluate_targets(const std::vector<Target>& targets, ScenarioRunner& runner,
                                            int threads = 0, const TargetsProgress& progress = {});

/// Metric helpers on a run's dermis means (also used by tests and docs scripts).
double peak_time(const RunResult& r, const std::vector<double>& x, double from = -1e300,
                 double to = 1e300);
double value_at(const RunResult& r, const std::vector<double>& x, double t);
double max_between(const RunResult& r, const std::vector<double>& x, double from, double to);
double integral_between(const RunResult& r, const std::vector<double>& x, double from, double to);

/// 2D/3D: mean total collagen (C3 + C1 + Cx) at profile time `day` in the cells that were channel
/// cores (channel fraction ≥ 0.5 in `fractions`, one session's cells in field order) over the mean
/// in the cells no channel touched, both over depths [z0, z1] mm. Throws std::invalid_argument
/// without fields, without a profile at `day`, or without cells of either kind.
double channel_core_refill(const RunResult& r, const std::vector<InjuryFractions>& fractions, double day,
                           double z0, double z1);

}  // namespace citsim
