// Targets for twin experiments: the metrics known parameter values give on the 0D single-session
// scenario of tests/calibration/scenarios, each with an interval of ± `share` of its value.
#pragma once

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "citsim/validation/metrics.hpp"

namespace citsim::test {

inline const std::string kTwinScenarios = std::string(CITSIM_SOURCE_DIR) + "/tests/calibration/scenarios";

inline std::vector<Target> twin_targets(std::initializer_list<const char*> kinds, const Parameters& truth,
                                        double share) {
  std::vector<Target> targets;
  ScenarioRunner runner(kTwinScenarios, [&truth](RunConfig& c) { c.parameters = truth; });
  for (const char* kind : kinds) {
    Target t;
    t.id = t.kind = kind;
    t.scenario = "single_session_0d";
    const double v = evaluate_target(t, runner).value;
    t.lo = v - share * std::abs(v);
    t.hi = v + share * std::abs(v);
    targets.push_back(t);
  }
  return targets;
}

}  // namespace citsim::test
