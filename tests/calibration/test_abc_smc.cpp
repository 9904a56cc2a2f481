// ABC-SMC ensembles (calibration/abc_smc.hpp): the distance to the targets, and a twin experiment
// in 0D — targets made around the metrics of known values; the ensemble must come to meet every
// target, hold the known values within its spread, and not depend on the thread count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "citsim/calibration/abc_smc.hpp"
#include "citsim/errors.hpp"
#include "twin_targets.hpp"

using namespace citsim;

TEST_CASE("abc-smc: the distance is the worst excursion outside an interval, in half-widths") {
  Target a, b;
  a.lo = 0.0;
  a.hi = 2.0;
  b.lo = 1.0;
  b.hi = 100.0;  // two decades: judged in log space
  const std::vector<Target> t = {a, b};
  auto d = [&](double x, double y) { return target_distance({{x, true, ""}, {y, true, ""}}, t); };
  CHECK(d(1.0, 10.0) == 0.0);
  CHECK(d(2.0, 100.0) == 0.0);
  CHECK(d(3.0, 10.0) == Approx(1.0));               // one half-width beyond hi
  CHECK(d(1.0, 1000.0) == Approx(1.0));             // one half-width (a decade) beyond hi, in log space
  CHECK(d(-1.0, 1000.0) == Approx(1.0));
  CHECK(d(1.0, 0.0) == std::numeric_limits<double>::infinity());
  CHECK(d(std::nan(""), 10.0) == std::numeric_limits<double>::infinity());
}

TEST_CASE("abc-smc: a twin experiment meets every target and holds the known values") {
  const std::string& scenarios = test::kTwinScenarios;
  const Parameters truth = fitted_defaults();
  // 1. Targets: the known values' metrics ± 10 %.
  const std::vector<Target> targets =
      test::twin_targets({"m1_before_m2", "m2_peak", "macrophage_peak", "myofibroblast_cleared"}, truth, 0.1);
  // 2. Two free parameters over their calibration ranges.
  AbcSmcOptions o;
  o.free = {parse_free_parameter("k_12:0.05:0.5"), parse_free_parameter("mu_M:0.1:0.6")};
  o.population = 16;
  o.batch = 8;
  o.max_waves = 12;
  o.max_evaluations = 1200;
  o.threads = 1;
  const AbcSmcResult one = abc_smc(targets, scenarios, truth, o);
  o.threads = 2;
  const AbcSmcResult two = abc_smc(targets, scenarios, truth, o);
  INFO(one.waves.size() << " waves, " << one.evaluations << " evaluations, tolerance " << one.tolerance);
  CHECK(one.ensemble.members == two.ensemble.members);  // bit for bit
  CHECK(one.ensemble.weights == two.ensemble.weights);
  // 3. It narrowed to the targets: tolerances fall, every member meets every target.
  REQUIRE(one.waves.size() >= 2);
  for (std::size_t k = 2; k < one.waves.size(); ++k) CHECK(one.waves[k].tolerance <= one.waves[k - 1].tolerance);
  CHECK(one.tolerance == 0.0);
  for (double d : one.distances) CHECK(d == 0.0);
  check_ensemble(one.ensemble);
  double total = 0.0;
  for (double w : one.ensemble.weights) total += w;
  CHECK(total == Approx(1.0));
  // 4. The known values lie within the members' spread, which is narrower than the prior.
  for (std::size_t j = 0; j < 2; ++j) {
    double lo = 1e300, hi = -1e300;
    for (const auto& m : one.ensemble.members) {
      lo = std::min(lo, m[j]);
      hi = std::max(hi, m[j]);
    }
    const double known = truth.*find_parameter(one.ensemble.parameters[j])->field;
    INFO(one.ensemble.parameters[j] << ": known " << known << ", members in [" << lo << ", " << hi << "]");
    CHECK(lo <= known);
    CHECK(known <= hi);
    CHECK(hi - lo < 0.8 * (o.free[j].hi - o.free[j].lo));
  }
}

TEST_CASE("abc-smc: a cancelled ensemble throws Interrupted") {
  const std::string& scenarios = test::kTwinScenarios;
  Target t;
  t.id = t.kind = "m2_peak";
  t.scenario = "single_session_0d";
  t.lo = 0.0;
  t.hi = 100.0;
  CancelFlag cancel{true};
  AbcSmcOptions o;
  o.free = {parse_free_parameter("k_12")};
  o.population = 4;
  o.cancel = &cancel;
  CHECK_THROWS_AS(abc_smc({t}, scenarios, fitted_defaults(), o), Interrupted);
}
