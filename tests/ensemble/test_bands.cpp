// Prediction bands (ensemble/bands.hpp): the weighted quantile, and bands of a 0D course over a
// small ensemble — ordered, not degenerate, holding the run of a member, independent of threads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "citsim/ensemble/bands.hpp"
#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/run.hpp"

using namespace citsim;

TEST_CASE("weighted_quantile: equal weights give numpy's linear interpolation; weights move it") {
  const std::vector<double> v = {3.0, 1.0, 4.0, 1.5, 9.0};  // sorted: 1, 1.5, 3, 4, 9
  const std::vector<double> w(5, 1.0);
  CHECK(weighted_quantile(v, w, 0.0) == 1.0);
  CHECK(weighted_quantile(v, w, 1.0) == 9.0);
  CHECK(weighted_quantile(v, w, 0.5) == 3.0);
  CHECK(weighted_quantile(v, w, 0.25) == Approx(1.5));
  CHECK(weighted_quantile(v, w, 0.9) == Approx(4.0 + 0.6 * 5.0));  // numpy.quantile(v, 0.9) = 7.0
  // Scaling every weight changes nothing; a heavy member pulls the median towards itself.
  const std::vector<double> w3(5, 3.0);
  for (double q : {0.05, 0.3, 0.77}) CHECK(weighted_quantile(v, w3, q) == Approx(weighted_quantile(v, w, q)));
  const std::vector<double> heavy = {1.0, 1.0, 1.0, 1.0, 20.0};
  CHECK(weighted_quantile(v, heavy, 0.5) > weighted_quantile(v, w, 0.5));
  // Monotone in q, within [min, max].
  double last = -1e300;
  for (int i = 0; i <= 100; ++i) {
    const double x = weighted_quantile(v, heavy, i / 100.0);
    CHECK(x >= last);
    CHECK(x >= 1.0);
    CHECK(x <= 9.0);
    last = x;
  }
  CHECK(weighted_quantile(std::vector<double>{2.5}, std::vector<double>{0.1}, 0.3) == 2.5);
  CHECK_THROWS_AS(weighted_quantile(std::vector<double>{}, std::vector<double>{}, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(weighted_quantile(v, w, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(weighted_quantile(v, std::vector<double>{1.0}, 0.5), std::invalid_argument);
}

namespace {

RunConfig course_0d(std::vector<std::string> extra = {}) {
  std::vector<std::string> sets = {"model.level=0d", "protocol.end_days=200", "output.dense_days=0"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return load_config(std::string(CITSIM_SOURCE_DIR) + "/configs/default.toml", sets);
}

ParameterEnsemble small_ensemble() {
  ParameterEnsemble e;
  e.method = "test";
  e.parameters = {"sigma_T", "k_12"};
  e.members = {{12.0, 0.15}, {15.0, 0.2}, {18.0, 0.25}, {14.0, 0.18}, {16.5, 0.22}, {13.0, 0.3}};
  e.weights = {1.0, 1.0, 2.0, 1.0, 1.0, 0.5};
  return e;
}

}  // namespace

TEST_CASE("bands: ordered quantiles that spread with time, hold each member's run, and ignore the thread count") {
  const RunConfig cfg = course_0d();
  const ParameterEnsemble e = small_ensemble();
  const EnsembleBands one = ensemble_bands(cfg, e, kBandQuantiles, 1);
  const EnsembleBands two = ensemble_bands(cfg, e, kBandQuantiles, 2);
  REQUIRE(one.readouts.size() == two.readouts.size());
  const std::size_t nt = one.time.size(), nq = one.quantiles.size();
  REQUIRE(nq == 5);
  for (std::size_t r = 0; r < one.readouts.size(); ++r) {
    const ReadoutBand& b = one.readouts[r];
    INFO(b.name);
    CHECK(b.values == two.readouts[r].values);  // bit for bit
    for (std::size_t t = 0; t < nt; ++t)
      for (std::size_t q = 0; q + 1 < nq; ++q) CHECK(b.values[q * nt + t] <= b.values[(q + 1) * nt + t]);
  }
  // The course's gains differ between members by the end, but not before the first session.
  for (const ReadoutBand& b : one.readouts) {
    if (b.name != "firmness_gain" && b.name != "collagen_induction") continue;
    INFO(b.name);
    CHECK(b.values[4 * nt + nt - 1] - b.values[nt - 1] > 1.0);  // percentage points
    CHECK(b.values[4 * nt] == Approx(b.values[0]).margin(1e-9));
    // Each member's own run lies within the band's whole range (0 and 1 quantiles).
    const auto [lo, hi] = std::minmax_element(b.end_values.begin(), b.end_values.end());
    const EnsembleBands extremes = ensemble_bands(cfg, e, std::vector<double>{0.0, 1.0}, 2);
    const auto& x = *std::find_if(extremes.readouts.begin(), extremes.readouts.end(),
                                  [&](const ReadoutBand& c) { return c.name == b.name; });
    CHECK(x.values[nt - 1] == *lo);
    CHECK(x.values[2 * nt - 1] == *hi);
  }
  // The weights are normalised, every member ran.
  double total = 0.0;
  for (double w : one.weights) total += w;
  CHECK(total == Approx(1.0));
  for (const std::string& f : one.failures) CHECK(f.empty());
  // A member's run equals a plain run with its values.
  RunConfig third = cfg;
  third.parameters = member_parameters(cfg.parameters, e, 2);
  const RunResult r3 = run_simulation(third);
  for (const ReadoutBand& b : one.readouts)
    if (b.name == "firmness_gain") CHECK(b.end_values[2] == r3.readout("firmness_gain").values.back());
}

TEST_CASE("bands: a parameter the config sets itself is held at its value in every member") {
  const RunConfig cfg = course_0d({"model.parameters.sigma_T=15"});
  const EnsembleBands b = ensemble_bands(cfg, small_ensemble(), kBandQuantiles, 2);
  REQUIRE(b.held == std::vector<std::string>{"sigma_T"});
  RunConfig fifth = cfg;
  fifth.parameters.k_12 = 0.22;  // member 5's k_12, the config's sigma_T
  const RunResult r = run_simulation(fifth);
  for (const ReadoutBand& band : b.readouts)
    if (band.name == "collagen_induction") CHECK(band.end_values[4] == r.readout("collagen_induction").values.back());
}

TEST_CASE("bands: a cancelled ensemble throws Interrupted") {
  CancelFlag cancel{true};
  CHECK_THROWS_AS(ensemble_bands(course_0d(), small_ensemble(), kBandQuantiles, 2, &cancel), Interrupted);
}
