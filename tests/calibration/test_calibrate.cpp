// Calibration: the loss, and a twin experiment — targets made from the values runs start from
// are fitted from perturbed starting values, and the fit must find those values.
#include <catch2/catch.hpp>

#include <cmath>

#include "citsim/calibration/calibrate.hpp"
#include "citsim/errors.hpp"
#include "twin_targets.hpp"

using namespace citsim;

namespace {
const std::string& kScenarios = test::kTwinScenarios;
}

TEST_CASE("calibration: the loss is zero well inside an interval and grows outside it") {
  Target t;
  t.lo = 0.0;
  t.hi = 10.0;
  CHECK(target_loss(5.0, t, 0.1) == 0.0);
  CHECK(target_loss(9.4, t, 0.1) == 0.0);
  CHECK(target_loss(9.8, t, 0.1) > 0.0);
  CHECK(target_loss(12.0, t, 0.1) > target_loss(11.0, t, 0.1));
  CHECK(target_loss(-2.0, t, 0.1) == Approx(target_loss(12.0, t, 0.1)));
  CHECK(target_loss(std::nan(""), t, 0.1) >= 1e3);
  // intervals over decades are judged in log space
  Target wide;
  wide.lo = 3.0;
  wide.hi = 1000.0;
  CHECK(target_loss(6.0, wide, 0.1) == 0.0);
  CHECK(target_loss(2.0, wide, 0.1) > 0.0);
}

TEST_CASE("calibration: --free parses names and ranges and refuses bad ones") {
  const FreeParameter f = parse_free_parameter("mu_M:0.1:0.6");
  CHECK(f.name == "mu_M");
  CHECK(f.lo == 0.1);
  CHECK(f.hi == 0.6);
  CHECK_THROWS_AS(parse_free_parameter("mu_m"), ConfigError);
  CHECK_THROWS_WITH(parse_free_parameter("mu_M:0.6:0.1"), Catch::Contains("LO < HI"));
  CHECK_THROWS_WITH(parse_free_parameter("no_such"), Catch::Contains("did you mean"));
  // Each bound read whole and finite, inside the table's range (std::stod took "0.6x" as 0.6).
  for (const char* bad : {"mu_M:0.1:0.6x", "mu_M:nan:0.5", "mu_M:0.1:inf", "mu_M:0.1", "mu_M:0.1:", "mu_M::0.5",
                          "mu_M:0.05:0.5", "mu_M:0.1:0.5:0.6"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_free_parameter(bad), Catch::Contains("must be NAME or NAME:LO:HI with numbers 0.1 <= LO < HI <= 0.6"));
  }
}

TEST_CASE("calibration: a twin experiment recovers the values runs start from, from perturbed ones") {
  const Parameters truth = fitted_defaults();
  // 1. Targets: the metrics the specification's values produce, with narrow intervals.
  const std::vector<Target> targets = test::twin_targets(
      {"neutrophil_resolved", "myofibroblast_cleared", "m1_before_m2", "myofibroblast_peak", "synthesis_resolves"},
      truth, 0.002);
  // 2. Start away from the truth.
  Parameters start = truth;
  start.mu_N *= 1.3;
  start.mu_Mf *= 0.75;
  start.k_12 *= 1.25;
  CalibrationOptions options;
  options.free = {parse_free_parameter("mu_N:0.5:2"), parse_free_parameter("mu_Mf:0.02:0.2"),
                  parse_free_parameter("k_12:0.05:0.5")};
  options.max_evaluations = 200;
  options.xtol_rel = 1e-6;
  REQUIRE(calibration_loss(targets, kScenarios, start, options) > 0.0);
  const CalibrationResult r = calibrate(targets, kScenarios, start, options);
  INFO("loss " << r.start_loss << " -> " << r.loss << " in " << r.evaluations << " evaluations; mu_N "
               << r.fitted.mu_N << ", mu_Mf " << r.fitted.mu_Mf << ", k_12 " << r.fitted.k_12);
  CHECK(r.loss == Approx(0.0).margin(1e-9));
  CHECK(r.fitted.mu_N == Approx(truth.mu_N).epsilon(0.01));
  CHECK(r.fitted.mu_Mf == Approx(truth.mu_Mf).epsilon(0.01));
  CHECK(r.fitted.k_12 == Approx(truth.k_12).epsilon(0.01));
  // 3. Reproducible: the same call gives the same fit, bit for bit.
  const CalibrationResult again = calibrate(targets, kScenarios, start, options);
  CHECK(again.fitted.mu_N == r.fitted.mu_N);
  CHECK(again.fitted.k_12 == r.fitted.k_12);
  CHECK(again.evaluations == r.evaluations);
}

TEST_CASE("calibration: overrides reach every scenario and only the free parameters are set") {
  Target t;
  t.id = t.kind = "neutrophil_resolved";
  t.scenario = "single_session_0d";
  t.lo = 0.0;
  t.hi = 1.0;
  const std::vector<Target> targets{t};
  CalibrationOptions options;
  options.free = {parse_free_parameter("k_12:0.05:0.5")};
  std::vector<MetricValue> plain, slow_neutrophils;
  (void)calibration_loss(targets, kScenarios, fitted_defaults(), options, &plain);
  // mu_N is not free: an override of it must survive the free parameters being set.
  options.overrides = {"model.parameters.mu_N=0.7"};
  const Parameters start = starting_config(targets, kScenarios, options.overrides).parameters;
  CHECK(start.mu_N == 0.7);
  (void)calibration_loss(targets, kScenarios, start, options, &slow_neutrophils);
  REQUIRE(plain.size() == 1);
  REQUIRE(slow_neutrophils.size() == 1);
  INFO("N(day 4)/peak: " << plain[0].value << " with mu_N = " << fitted_defaults().mu_N << ", "
                         << slow_neutrophils[0].value << " with mu_N = 0.7");
  // Slower neutrophil removal leaves more of the peak at day 4.
  CHECK(slow_neutrophils[0].value > 1.2 * plain[0].value);
}
