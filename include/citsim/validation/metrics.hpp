// Metrics of the calibration targets, computed from scenario runs. Scenario runs are cached:
// a target that compares two runs (smoker vs non-smoker, age 25 vs 65) shares them with others.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "citsim/run.hpp"
#include "citsim/validation/targets.hpp"

namespace citsim {

/// Runs `<dir>/<scenario>.toml` with overrides, once per distinct (scenario, overrides).
class ScenarioRunner {
 public:
  /// `adjust` is applied to every config after loading (calibration sets parameters here);
  /// `common` overrides ("key=value", as `--set`) apply to every scenario, before a target's own.
  explicit ScenarioRunner(std::string scenario_dir, std::function<void(RunConfig&)> adjust = {},
                          std::vector<std::string> common = {});
  const RunResult& run(const std::string& scenario, const std::vector<std::string>& overrides = {});
  std::size_t runs() const { return cache_.size(); }

 private:
  std::string dir_;
  std::function<void(RunConfig&)> adjust_;
  std::vector<std::string> common_;
  std::map<std::string, std::unique_ptr<RunResult>> cache_;
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

/// Metric helpers on a run's dermis means (also used by tests and docs scripts).
double peak_time(const RunResult& r, const std::vector<double>& x, double from = -1e300,
                 double to = 1e300);
double value_at(const RunResult& r, const std::vector<double>& x, double t);
double max_between(const RunResult& r, const std::vector<double>& x, double from, double to);
double integral_between(const RunResult& r, const std::vector<double>& x, double from, double to);

}  // namespace citsim
