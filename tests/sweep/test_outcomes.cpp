// Tests for include/citsim/sweep/outcomes.hpp: outcome names, their values on a known trajectory,
// resampling, and agreement of the readout list with what run_simulation writes.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "citsim/io/config.hpp"
#include "citsim/run.hpp"
#include "citsim/sweep/outcomes.hpp"

using namespace citsim;
using namespace citsim::sweep;

namespace {

/// A run with firmness_gain rising linearly from day 10 (first session) to 20 % on day 30.
RunResult ramp() {
  RunResult r;
  for (int t = 0; t <= 40; ++t) r.time.push_back(t);
  Series gain{"firmness_gain", "percent", "", {}}, ery{"erythema", "1", "", {}};
  for (double t : r.time) {
    gain.values.push_back(t < 10 ? 0.0 : std::min(20.0, (t - 10.0)));
    ery.values.push_back(t == 12 ? 0.8 : 0.1);
  }
  r.readouts = {gain, ery};
  return r;
}

}  // namespace

TEST_CASE("outcome names parse into kind, readout, day and units", "[sweep][outcomes]") {
  const OutcomeSpec at = parse_outcome("collagen_induction@180");
  CHECK(at.kind == OutcomeKind::At);
  CHECK(at.readout == "collagen_induction");
  CHECK(at.day == 180);
  CHECK(at.units == "percent");
  const OutcomeSpec days = parse_outcome("days_to_90pct_gain");
  CHECK(days.kind == OutcomeKind::DaysTo);
  CHECK(days.readout == "firmness_gain");
  CHECK(days.fraction == Approx(0.9));
  CHECK(days.units == "day");
  CHECK(parse_outcome("peak_erythema").kind == OutcomeKind::Max);
  CHECK(parse_outcome("min_R0").kind == OutcomeKind::Min);
  CHECK(parse_outcome("scar_index").kind == OutcomeKind::Final);
  CHECK(parse_outcome("final_firmness_gain").readout == "firmness_gain");
  for (const auto& name : default_outcome_names()) CHECK_NOTHROW(parse_outcome(name));
}

TEST_CASE("bad outcome names say which forms exist", "[sweep][outcomes]") {
  CHECK_THROWS_WITH(parse_outcome("final_firmness"), Catch::Contains("'final_firmness' is not a readout") &&
                                                         Catch::Contains("days_to_<P>pct_<readout>"));
  CHECK_THROWS_WITH(parse_outcome("erythema@-3"), Catch::Contains("'-3' after '@' is not a day >= 0"));
  CHECK_THROWS_WITH(parse_outcome("days_to_120pct_gain"), Catch::Contains("percentage in (0, 100]"));
  CHECK_THROWS_AS(parse_outcome(""), std::invalid_argument);
}

TEST_CASE("outcomes of a known trajectory", "[sweep][outcomes]") {
  const RunResult r = ramp();
  const std::vector<OutcomeSpec> specs = {parse_outcome("final_gain"), parse_outcome("max_gain"),
                                          parse_outcome("firmness_gain@12.5"), parse_outcome("peak_erythema"),
                                          parse_outcome("min_erythema"), parse_outcome("days_to_90pct_gain"),
                                          parse_outcome("days_to_50pct_gain")};
  const std::vector<double> v = compute_outcomes(r, specs, 10.0);
  CHECK(v[0] == 20.0);
  CHECK(v[1] == 20.0);
  CHECK(v[2] == Approx(2.5));  // interpolated between days 12 and 13
  CHECK(v[3] == 0.8);
  CHECK(v[4] == 0.1);
  CHECK(v[5] == Approx(18.0));  // 18 % reached 18 days after the session on day 10
  CHECK(v[6] == Approx(10.0));
  CHECK_THROWS_WITH(compute_outcomes(r, std::vector<OutcomeSpec>{parse_outcome("erythema@50")}, 10.0),
                    Catch::Contains("asks for day 50, but the run ends at day 40"));
}

TEST_CASE("days to a share of the final gain is NaN without a gain", "[sweep][outcomes]") {
  RunResult r = ramp();
  for (double& g : r.readouts[0].values) g = -g;
  CHECK(std::isnan(compute_outcomes(r, std::vector<OutcomeSpec>{parse_outcome("days_to_90pct_gain")}, 10.0)[0]));
}

TEST_CASE("resampling interpolates and is NaN outside the run", "[sweep][outcomes]") {
  const std::vector<double> t = {0, 1, 3}, v = {0, 10, 30};
  const auto r = resample(t, v, std::vector<double>{0, 0.5, 2, 3, 4});
  CHECK(r[0] == 0);
  CHECK(r[1] == 5);
  CHECK(r[2] == 20);
  CHECK(r[3] == 30);
  CHECK(std::isnan(r[4]));
  CHECK(common_grid(1, 3) == std::vector<double>{0, 1, 2, 3});
  CHECK(common_grid(2, 5) == std::vector<double>{0, 2, 4, 5});
  CHECK(common_grid(0.1, 0.3).size() == 4u);  // 0.1*3 is not exactly 0.3: still one point there
}

TEST_CASE("the readout list agrees with run_simulation's readouts", "[sweep][outcomes]") {
  const RunConfig cfg = parse_config("[model]\nlevel = \"0d\"\n[protocol]\nend_days = 10\n"
                                     "[[protocol.session]]\ntime = 0\n",
                                     "ok.toml");
  const RunResult r = run_simulation(cfg);
  const auto names = readout_names();
  REQUIRE(names.size() == r.readouts.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    CHECK(names[i].name == r.readouts[i].name);
    CHECK(names[i].units == r.readouts[i].units);
  }
}
