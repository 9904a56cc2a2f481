// The closure's transport (closure_transport.hpp): column totals conserved and every species
// ≥ 0 for any step and exchange; without a core (or with nothing but core) it is the column
// operator; its lateral part is the exact backward-Euler relaxation of two compartments; with
// an exchange far faster than the step both compartments carry the mean.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "citsim/numerics/closure_transport.hpp"
#include "citsim/numerics/transport.hpp"

using namespace citsim;

namespace {

struct Setup {
  Grid grid = make_uniform_grid(1.0, 0.1);
  Parameters p = default_parameters();
  std::vector<double> F_rest;
  Setup() {
    for (std::size_t i = 0; i < grid.size(); ++i) F_rest.push_back(i < 4 ? 1.0 : 0.4);  // a layer step
  }
};

ColumnState random_points(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> x(0.0, 3.0);
  ColumnState u(n);
  for (auto& v : u)
    for (int s = 0; s < kSpeciesCount; ++s) v[s] = x(gen);
  return u;
}

SpeciesVector total(const ColumnState& u, const std::vector<double>& a) {
  SpeciesVector t = SpeciesVector::Zero();
  for (std::size_t i = 0; i < a.size(); ++i) t += a[i] * u[2 * i] + (1.0 - a[i]) * u[2 * i + 1];
  return t;
}

/// A boundary with pseudo-steady exchange factor G in every cell.
std::vector<ExchangeGeometry> boundary(std::size_t n, double G) { return std::vector<ExchangeGeometry>(n, {G, 0.5, 0.5}); }

constexpr double kSettled = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("closure transport: totals conserved and positivity for any step and exchange", "[closure]") {
  Setup su;
  const std::size_t n = su.grid.size();
  // Cores that narrow with depth, vanish, and fill a cell: every kind of face.
  const std::vector<double> a = {1.0, 0.5, 0.3, 0.3, 0.1, 0.0, 0.0, 0.2, 0.6, 0.05};
  REQUIRE(a.size() == n);
  for (double G : {0.0, 1.0, 1e3, 1e9}) {
    ClosureTransport tr(su.grid, su.p, su.F_rest);
    tr.set_geometry(a, boundary(n, G), kSettled);
    ColumnState u = random_points(2 * n, 7);
    const SpeciesVector before = total(u, a);
    for (double dt : {1e-3, 0.1, 10.0}) tr.step(u, dt);
    const SpeciesVector after = total(u, a);
    for (int s = 0; s < kSpeciesCount; ++s) CHECK(after[s] == Approx(before[s]).epsilon(1e-12));
    for (const auto& x : u) CHECK(x.minCoeff() >= 0.0);
    // A compartment without area equals its partner in every species that moves.
    for (int s : {Cp, Ca, T, B, N, M1, M2, F, Mf}) {
      for (std::size_t i : {5u, 6u}) CHECK(u[2 * i][s] == u[2 * i + 1][s]);
      CHECK(u[0][s] == u[1][s]);
    }
  }
}

TEST_CASE("closure transport: no core, or all core, is the column operator", "[closure]") {
  Setup su;
  const std::size_t n = su.grid.size();
  for (double a : {0.0, 1.0}) {
    ClosureTransport tr(su.grid, su.p, su.F_rest);
    tr.set_geometry(std::vector<double>(n, a), boundary(n, 5.0), 0.0);
    ColumnTransport col(su.grid, su.p, su.F_rest);
    ColumnState one = random_points(n, 3), two(2 * n);
    for (std::size_t i = 0; i < n; ++i) two[2 * i] = two[2 * i + 1] = one[i];
    col.step(one, 0.3);
    tr.step(two, 0.3);
    for (std::size_t i = 0; i < n; ++i)
      for (int s = 0; s < kSpeciesCount; ++s) {
        CHECK(two[2 * i][s] == Approx(one[i][s]).epsilon(1e-12));
        CHECK(two[2 * i + 1][s] == Approx(one[i][s]).epsilon(1e-12));
      }
  }
}

TEST_CASE("closure transport: the lateral exchange is the exact backward-Euler relaxation", "[closure]") {
  Grid one_cell = make_uniform_grid(0.1, 0.1);
  REQUIRE(one_cell.size() == 1);
  Parameters p = default_parameters();
  const double a = 0.12, G = 2.9, dt = 0.7;
  ClosureTransport tr(one_cell, p, {1.0});
  tr.set_geometry(std::vector<double>{a}, boundary(1, G), kSettled);
  ColumnState u(2, SpeciesVector::Constant(0.5));
  u[0][Cp] = 4.0;  // a cytokine difference, no T difference (no chemotaxis)
  tr.step(u, dt);
  const double diff = 3.5 / (1.0 + dt * G * p.D_Cp * (1.0 / a + 1.0 / (1.0 - a)));
  CHECK(u[0][Cp] - u[1][Cp] == Approx(diff).epsilon(1e-12));
  CHECK(a * u[0][Cp] + (1 - a) * u[1][Cp] == Approx(a * 4.0 + (1 - a) * 0.5).epsilon(1e-14));
  CHECK(u[0][C1] == 0.5);  // immobile species stay
}

TEST_CASE("closure transport: fibroblasts climb the core's TGF-beta and stay positive", "[closure]") {
  Grid one_cell = make_uniform_grid(0.1, 0.1);
  Parameters p = default_parameters();
  p.D_F = 0.0;  // chemotaxis alone
  ClosureTransport tr(one_cell, p, {1.0});
  tr.set_geometry(std::vector<double>{0.2}, boundary(1, 100.0), 0.0);
  ColumnState u(2, SpeciesVector::Constant(1.0));
  u[0][T] = 1000.0;  // a strong pull into the core
  tr.step(u, 50.0);
  CHECK(u[0][F] > 1.0);
  CHECK(u[1][F] >= 0.0);
  CHECK(u[1][F] < 1.0);
  CHECK(0.2 * u[0][F] + 0.8 * u[1][F] == Approx(1.0).epsilon(1e-13));
}

TEST_CASE("closure transport: an exchange far faster than the step leaves the mean in both", "[closure]") {
  // 1e12 times the step: the elimination subtracts no like-signed numbers, so no round-off blows up.
  Setup su;
  const std::size_t n = su.grid.size();
  std::vector<double> a(n);
  for (std::size_t i = 0; i < n; ++i) a[i] = 0.3 * std::exp(-0.3 * static_cast<double>(i));
  ClosureTransport tr(su.grid, su.p, su.F_rest);
  tr.set_geometry(a, boundary(n, 1e12), kSettled);
  ColumnTransport col(su.grid, su.p, su.F_rest);
  ColumnState two = random_points(2 * n, 11), one(n);
  // Equal T in both compartments: chemotaxis would otherwise hold F apart at its own balance.
  for (std::size_t i = 0; i < n; ++i) two[2 * i + 1][T] = two[2 * i][T];
  for (std::size_t i = 0; i < n; ++i) one[i] = a[i] * two[2 * i] + (1.0 - a[i]) * two[2 * i + 1];
  tr.step(two, 0.2);
  col.step(one, 0.2);
  for (std::size_t i = 0; i < n; ++i)
    for (int s : {Cp, Ca, T, B, N, M1, M2, F, Mf}) {
      CHECK(two[2 * i][s] == Approx(one[i][s]).epsilon(1e-6));
      CHECK(two[2 * i + 1][s] == Approx(one[i][s]).epsilon(1e-6));
    }
}

TEST_CASE("closure transport: a fresh boundary exchanges faster, and its clock runs with the steps", "[closure]") {
  Grid one_cell = make_uniform_grid(0.1, 0.1);
  Parameters p = default_parameters();
  const ExchangeGeometry g = exchange_geometry({ChannelShape::Slits, 0.5}, 0.1);
  auto gap_after = [&](double since, int steps) {
    ClosureTransport tr(one_cell, p, {1.0});
    tr.set_geometry(std::vector<double>{0.1}, std::vector<ExchangeGeometry>{g}, since);
    ColumnState u(2, SpeciesVector::Constant(0.5));
    u[0][Cp] = 4.0;
    for (int k = 0; k < steps; ++k) tr.step(u, 0.5 / steps);
    return u[0][Cp] - u[1][Cp];
  };
  CHECK(gap_after(0.0, 1) < gap_after(kSettled, 1));
  // Two half steps from the injury relax as the exchange averaged over each of them.
  const double G1 = mean_exchange_factor(g, p.D_Cp, 0.0, 0.25), G2 = mean_exchange_factor(g, p.D_Cp, 0.25, 0.5);
  const double rate = p.D_Cp * (1.0 / 0.1 + 1.0 / 0.9);
  CHECK(gap_after(0.0, 2) == Approx(3.5 / ((1.0 + 0.25 * G1 * rate) * (1.0 + 0.25 * G2 * rate))).epsilon(1e-12));
}

TEST_CASE("closure transport: a geometry that does not fit is refused", "[closure]") {
  Setup su;
  ClosureTransport tr(su.grid, su.p, su.F_rest);
  const std::size_t n = su.grid.size();
  CHECK_THROWS_AS(tr.set_geometry(std::vector<double>(n - 1, 0.1), boundary(n, 1.0), 0.0), std::invalid_argument);
  CHECK_THROWS_AS(tr.set_geometry(std::vector<double>(n, 1.1), boundary(n, 1.0), 0.0), std::invalid_argument);
  CHECK_THROWS_AS(tr.set_geometry(std::vector<double>(n, 0.1), boundary(n, -1.0), 0.0), std::invalid_argument);
  CHECK_THROWS_AS(tr.set_geometry(std::vector<double>(n, 0.1), boundary(n, 1.0), -1.0), std::invalid_argument);
  ColumnState u(n);
  CHECK_THROWS_AS(tr.step(u, 0.1), std::invalid_argument);
}
