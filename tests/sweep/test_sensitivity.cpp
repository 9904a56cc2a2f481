// Tests for include/citsim/sweep/sensitivity.hpp against functions whose indices are known:
// Ishigami's analytic Sobol indices, a linear function's exact elementary effects, and the
// Sobol G-function's importance ordering for Morris screening.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "citsim/sweep/sensitivity.hpp"

using namespace citsim::sweep;

namespace {

constexpr double pi = std::numbers::pi;

/// Ishigami & Homma (1990), x in [-pi, pi]^3, a = 7, b = 0.1.
double ishigami(const std::vector<double>& u) {
  const double a = 7.0, b = 0.1;
  const double x1 = -pi + 2 * pi * u[0], x2 = -pi + 2 * pi * u[1], x3 = -pi + 2 * pi * u[2];
  return std::sin(x1) + a * std::sin(x2) * std::sin(x2) + b * std::pow(x3, 4) * std::sin(x1);
}

/// Sobol's G-function: factor i matters less the larger a_i.
double g_function(const std::vector<double>& u, const std::vector<double>& a) {
  double y = 1.0;
  for (std::size_t i = 0; i < a.size(); ++i) y *= (std::abs(4 * u[i] - 2) + a[i]) / (1 + a[i]);
  return y;
}

}  // namespace

TEST_CASE("Saltelli sampling recovers Ishigami's analytic Sobol indices", "[sweep][sensitivity]") {
  const double a = 7.0, b = 0.1;
  const double V = a * a / 8 + b * std::pow(pi, 4) / 5 + b * b * std::pow(pi, 8) / 18 + 0.5;
  const double V1 = 0.5 * std::pow(1 + b * std::pow(pi, 4) / 5, 2), V2 = a * a / 8;
  const double V13 = b * b * std::pow(pi, 8) * (1.0 / 18 - 1.0 / 50);
  const std::vector<double> S1 = {V1 / V, V2 / V, 0.0}, ST = {(V1 + V13) / V, V2 / V, V13 / V};

  const int d = 3;
  const std::int64_t N = 4096;
  std::vector<double> y;
  for (std::int64_t r = 0; r < saltelli_runs(d, N); ++r) y.push_back(ishigami(saltelli_point(d, r)));
  const SobolIndices s = sobol_indices(d, y, 100, 7);
  REQUIRE(s.base_runs_used == N);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("factor " << i + 1);
    CHECK(s.S1[i] == Approx(S1[i]).margin(0.02));
    CHECK(s.ST[i] == Approx(ST[i]).margin(0.02));
    // the interval is honest: it covers the truth and is not absurdly wide
    CHECK(std::abs(s.ST[i] - ST[i]) < 3 * s.ST_conf[i] + 1e-3);
    CHECK(s.ST_conf[i] < 0.05);
  }
}

TEST_CASE("a Saltelli design's rows are A, A with column i from B, then B", "[sweep][sensitivity]") {
  const int d = 4;
  for (std::int64_t j : {0, 1, 5}) {
    const auto a = saltelli_point(d, j * (d + 2));
    const auto b = saltelli_point(d, j * (d + 2) + d + 1);
    for (int i = 0; i < d; ++i) {
      const auto ab = saltelli_point(d, j * (d + 2) + 1 + i);
      for (int k = 0; k < d; ++k) CHECK(ab[static_cast<std::size_t>(k)] == (k == i ? b : a)[static_cast<std::size_t>(k)]);
    }
  }
}

TEST_CASE("Sobol indices leave out base rows with a failed run", "[sweep][sensitivity]") {
  const int d = 3;
  const std::int64_t N = 256;
  std::vector<double> y;
  for (std::int64_t r = 0; r < saltelli_runs(d, N); ++r) y.push_back(ishigami(saltelli_point(d, r)));
  y[7] = std::nan("");    // base row 1
  y[5 * 3 + 2] = INFINITY;  // base row 3
  const SobolIndices s = sobol_indices(d, y, 0, 1);
  CHECK(s.base_runs_used == N - 2);
  for (double v : s.ST) CHECK(std::isfinite(v));
  CHECK(std::isnan(s.ST_conf[0]));  // no bootstrap asked for
}

TEST_CASE("Morris effects of a linear function are its coefficients", "[sweep][sensitivity]") {
  const std::vector<double> coef = {3.0, -2.0, 0.5, 0.0};
  const MorrisDesign m = morris_design(4, 12, 4, 11);
  REQUIRE(m.points.size() == 12u * 5u);
  std::vector<double> y;
  for (const auto& x : m.points) {
    double v = 1.0;
    for (std::size_t i = 0; i < coef.size(); ++i) v += coef[i] * x[i];
    y.push_back(v);
  }
  const MorrisIndices r = morris_indices(m, y);
  CHECK(r.trajectories_used == 12);
  for (std::size_t i = 0; i < coef.size(); ++i) {
    CHECK(r.mu[i] == Approx(coef[i]).margin(1e-12));
    CHECK(r.mu_star[i] == Approx(std::abs(coef[i])).margin(1e-12));
    CHECK(r.sigma[i] == Approx(0.0).margin(1e-12));
  }
}

TEST_CASE("Morris trajectories move one factor by Delta at a time, on the grid", "[sweep][sensitivity]") {
  const MorrisDesign m = morris_design(5, 6, 6, 3);
  CHECK(m.delta == Approx(0.6));
  for (int t = 0; t < 6; ++t) {
    std::vector<int> moved;
    for (int k = 1; k <= 5; ++k) {
      const std::size_t row = static_cast<std::size_t>(t * 6 + k);
      int changed = 0;
      for (std::size_t i = 0; i < 5; ++i) {
        const double step = m.points[row][i] - m.points[row - 1][i];
        if (step != 0.0) {
          ++changed;
          CHECK(std::abs(step) == Approx(m.delta));
          CHECK(static_cast<int>(i) == m.moved[row]);
        }
        const double level = m.points[row][i] * 5;  // levels k/(p-1)
        CHECK(level == Approx(std::round(level)).margin(1e-12));
        CHECK(m.points[row][i] >= 0.0);
        CHECK(m.points[row][i] <= 1.0);
      }
      CHECK(changed == 1);
      moved.push_back(m.moved[row]);
    }
    std::sort(moved.begin(), moved.end());
    CHECK(moved == std::vector<int>{0, 1, 2, 3, 4});  // each factor once per trajectory
  }
  // same seed, same design; another seed, another design
  CHECK(morris_design(5, 6, 6, 3).points == m.points);
  CHECK(morris_design(5, 6, 6, 4).points != m.points);
}

TEST_CASE("Morris screening ranks the G-function's factors by importance", "[sweep][sensitivity]") {
  const std::vector<double> a = {0.0, 1.0, 4.5, 9.0, 99.0, 99.0};
  const MorrisDesign m = morris_design(6, 40, 4, 5);
  std::vector<double> y;
  for (const auto& x : m.points) y.push_back(g_function(x, a));
  const MorrisIndices r = morris_indices(m, y);
  CHECK(r.mu_star[0] > r.mu_star[1]);
  CHECK(r.mu_star[1] > r.mu_star[2]);
  CHECK(r.mu_star[2] > r.mu_star[3]);
  CHECK(r.mu_star[3] > r.mu_star[4]);
  CHECK(r.mu_star[3] > r.mu_star[5]);
  CHECK(r.mu_star[4] < 0.05 * r.mu_star[0]);
}

TEST_CASE("Morris and Saltelli inputs are checked", "[sweep][sensitivity]") {
  CHECK_THROWS_AS(morris_design(0, 10, 4, 1), std::invalid_argument);
  CHECK_THROWS_AS(morris_design(3, 1, 4, 1), std::invalid_argument);
  CHECK_THROWS_AS(morris_design(3, 10, 5, 1), std::invalid_argument);
  const MorrisDesign m = morris_design(2, 3, 4, 1);
  CHECK_THROWS_AS(morris_indices(m, std::vector<double>(5, 0.0)), std::invalid_argument);
  CHECK_THROWS_AS(sobol_indices(3, std::vector<double>(7, 0.0), 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(saltelli_point(100, 0), std::invalid_argument);
}
