// Local sensitivities (include/citsim/validation/sensitivity.hpp), on the 0D default protocol so
// the few hundred runs stay quick.
#include <catch2/catch.hpp>

#include <omp.h>

#include <cmath>
#include <string>

#include "citsim/errors.hpp"
#include "citsim/validation/sensitivity.hpp"

using namespace citsim;

namespace {

RunConfig default_0d() {
  return load_config(std::string(CITSIM_SOURCE_DIR) + "/configs/default.toml", {"model.level=0d"});
}

const ParameterSensitivity& row_of(const SensitivityResult& r, const std::string& name) {
  for (const ParameterSensitivity& row : r.rows)
    if (row.name == name) return row;
  FAIL("no row " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("sensitivity: the log-central difference of a power law gives its exponent",
          "[sensitivity]") {
  // y = p^a: (e^{ah} − e^{−ah}) / (2h) = a·(1 + (ah)²/6 + …)
  const double h = 0.05;
  for (double a : {-1.5, 0.5, 2.0}) {
    const double s = normalised_difference(std::exp(-a * h), std::exp(a * h), -h, h, 1.0);
    CHECK(s == Approx(a).epsilon(1.01 * a * a * h * h / 6.0));
    CHECK(s != Approx(a).epsilon(0.99 * a * a * h * h / 6.0));  // the O(h²) term is there
  }
  // one-sided (base and one neighbour), and a zero outcome has no relative sensitivity
  CHECK(normalised_difference(1.0, std::exp(h), 0.0, h, 1.0) == Approx(1.0).epsilon(0.03));
  CHECK(std::isnan(normalised_difference(0.0, 1.0, -h, h, 0.0)));
}

TEST_CASE("sensitivity: mechanisms act in their direction, readout-only values not at all",
          "[sensitivity]") {
  SensitivityOptions o;
  o.parameters = {"sigma_T", "mu_M", "K_erythema", "erythema_depth", "k_tx"};
  const SensitivityResult r = local_sensitivities(default_0d(), o);
  REQUIRE(r.outputs.size() == 2);
  REQUIRE(r.base[0] > 0.0);  // the default protocol firms the skin
  REQUIRE(r.base[1] > 0.0);  // and adds collagen

  // TGF-β-driven synthesis makes collagen; faster macrophage death lowers the TGF-β that drives it.
  CHECK(row_of(r, "sigma_T").s[1] > 0.1);
  CHECK(row_of(r, "mu_M").s[1] < -0.1);
  // Erythema constants feed no kinetics: exactly no effect on firmness or collagen.
  for (const char* name : {"K_erythema", "erythema_depth"}) {
    INFO(name);
    CHECK(row_of(r, name).s[0] == 0.0);
    CHECK(row_of(r, name).s[1] == 0.0);
  }
  // Ranked by the largest |S|: the readout-only rows come last.
  CHECK(r.rows.back().s[0] == 0.0);
  for (std::size_t i = 1; i < r.rows.size(); ++i) {
    const auto mag = [](const ParameterSensitivity& x) { return std::max(std::abs(x.s[0]), std::abs(x.s[1])); };
    CHECK(mag(r.rows[i - 1]) >= mag(r.rows[i]));
  }
  CHECK(r.runs == 1 + 2 * 5);
}

TEST_CASE("sensitivity: halving the perturbation changes the leading values little",
          "[sensitivity]") {
  // A smooth outcome has S(h) = S + O(h²): halving h moves S by about a quarter of its error.
  // Step-size noise of the integrator would instead grow as 1/h and break this.
  SensitivityOptions coarse, fine;
  coarse.parameters = fine.parameters = {"mu_M", "delta_T", "sigma_T", "a_TM", "k_tx", "r_F"};
  fine.log_step = coarse.log_step / 2.0;
  const SensitivityResult a = local_sensitivities(default_0d(), coarse);
  const SensitivityResult b = local_sensitivities(default_0d(), fine);
  for (const std::string& name : coarse.parameters)
    for (std::size_t k = 0; k < 2; ++k) {
      INFO(name << " output " << k);
      CHECK(row_of(b, name).s[k] == Approx(row_of(a, name).s[k]).epsilon(0.02).margin(0.005));
    }
}

TEST_CASE("sensitivity: identical whatever the thread count", "[sensitivity]") {
  SensitivityOptions o;
  o.parameters = {"mu_M", "C_max", "k_tx", "D_T", "eta_pen"};
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const SensitivityResult one = local_sensitivities(default_0d(), o);
  omp_set_num_threads(2);
  const SensitivityResult two = local_sensitivities(default_0d(), o);
  omp_set_num_threads(threads);
  REQUIRE(one.rows.size() == two.rows.size());
  for (std::size_t i = 0; i < one.rows.size(); ++i) {
    CHECK(one.rows[i].name == two.rows[i].name);
    CHECK(one.rows[i].s == two.rows[i].s);
  }
}

TEST_CASE("sensitivity: a value at the edge of its range is differentiated one-sided",
          "[sensitivity]") {
  RunConfig c = default_0d();
  const ParameterSpec* spec = find_parameter("sigma_T");
  REQUIRE(spec);
  c.parameters.sigma_T = spec->max;
  SensitivityOptions o;
  o.parameters = {"sigma_T"};
  const SensitivityResult r = local_sensitivities(c, o);
  REQUIRE(r.rows[0].failure.empty());
  CHECK(std::isfinite(r.rows[0].s[1]));
  CHECK(r.rows[0].s[1] > 0.0);
}

TEST_CASE("sensitivity: unknown names and bad steps are refused with what is allowed",
          "[sensitivity]") {
  SensitivityOptions o;
  o.parameters = {"sigma_t"};
  CHECK_THROWS_WITH(local_sensitivities(default_0d(), o), Catch::Contains("did you mean 'sigma_T'"));
  o.parameters = {"mu_M"};
  o.outputs = {"firmness"};
  CHECK_THROWS_WITH(local_sensitivities(default_0d(), o), Catch::Contains("firmness_gain"));
  o.outputs = {"firmness_gain"};
  o.log_step = 0.0;
  CHECK_THROWS_AS(local_sensitivities(default_0d(), o), ConfigError);
}
