// Calibration targets (configs/validation/targets.toml, docs/model.md §7.8): what the model must reproduce,
// each a metric of a scenario with the interval it must fall in.
#pragma once

#include <string>
#include <vector>

namespace citsim {

struct Target {
  std::string id;        ///< e.g. "neutrophil_peak"
  std::string scenario;  ///< config `<scenarios>/<scenario>.toml`
  std::string kind;      ///< which metric computes it (defaults to `id`; see metric_kinds())
  std::string metric;    ///< what it measures, in words
  double lo = 0.0, hi = 0.0;
  std::string source;
};

/// Read a targets file: `[[target]]` tables with id, scenario, metric, range = [lo, hi], source
/// and optionally `kind` (a known metric, for targets with new ids). Throws ConfigError.
std::vector<Target> load_targets(const std::string& path);

}  // namespace citsim
