// Column transport: conservation, positivity, the resting fibroblast profile, convergence; the
// Thomas algorithm in one go and split (factors kept for many right-hand sides); alike species
// solved together, and kept eliminations, give the numbers of each solved afresh.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <numbers>
#include <random>

#include "citsim/model/tissue.hpp"
#include "citsim/numerics/transport.hpp"
#include "citsim/numerics/tridiagonal.hpp"

using namespace citsim;

namespace {

double column_total(const ColumnState& u, int s, double dz) {
  double t = 0.0;
  for (const auto& x : u) t += x[s] * dz;
  return t;
}

std::vector<double> resting_F(const Grid& g, const Parameters& p) {
  std::vector<double> F;
  for (double z : g.centre) F.push_back(resting_composition(z, p, 40.0, LaxityCause::Aging).F_rest);
  return F;
}

}  // namespace

TEST_CASE("transport: Thomas algorithm solves a tridiagonal system") {
  const std::vector<double> lo{0.0, -1.0, -1.0, -1.0}, di{4.0, 4.0, 4.0, 4.0}, up{-1.0, -1.0, -1.0, 0.0};
  const std::vector<double> x{1.0, 2.0, 3.0, 4.0};
  std::vector<double> b(4), scratch(4);
  for (std::size_t i = 0; i < 4; ++i)
    b[i] = di[i] * x[i] + (i > 0 ? lo[i] * x[i - 1] : 0.0) + (i < 3 ? up[i] * x[i + 1] : 0.0);
  solve_tridiagonal(lo, di, up, b, scratch);
  for (std::size_t i = 0; i < 4; ++i) CHECK(b[i] == Approx(x[i]).epsilon(1e-14));
}

TEST_CASE("tridiagonal: factors kept for many right-hand sides give the numbers of a single solve") {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  for (std::size_t n : {1u, 3u, 16u}) {
    INFO("n = " << n);
    // Two diagonally dominant matrices, periodic couplings in lower[0] and upper[n−1].
    std::array<std::vector<double>, 2> lo, di, up;
    for (int k = 0; k < 2; ++k)
      for (std::size_t i = 0; i < n; ++i) {
        lo[k].push_back(-U(rng));
        up[k].push_back(-U(rng));
        di[k].push_back(2.5 + U(rng));
      }
    std::vector<std::vector<double>> b(3);
    for (auto& x : b)
      for (std::size_t i = 0; i < n; ++i) x.push_back(U(rng));
    std::array<TridiagonalFactors, 2> f;
    for (int k = 0; k < 2; ++k) factor_tridiagonal(lo[k], di[k], up[k], f[k]);
    // One right-hand side, and three side by side, against solve_tridiagonal: the same numbers.
    std::vector<double> scratch(n), side(3 * n);
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t i = 0; i < n; ++i) side[3 * i + c] = b[c][i];
    substitute_tridiagonal(f[0], side, 3);
    for (std::size_t c = 0; c < 3; ++c) {
      std::vector<double> one = b[c], alone = b[c];
      solve_tridiagonal(lo[0], di[0], up[0], one, scratch);
      substitute_tridiagonal(f[0], alone);
      for (std::size_t i = 0; i < n; ++i) {
        CHECK(alone[i] == one[i]);
        CHECK(side[3 * i + c] == one[i]);
      }
    }
    // Each right-hand side with its own matrix: 0, 1, 0.
    const std::array<const TridiagonalFactors*, 3> which = {&f[0], &f[1], &f[0]};
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t i = 0; i < n; ++i) side[3 * i + c] = b[c][i];
    substitute_tridiagonal(which, side);
    for (std::size_t c = 0; c < 3; ++c) {
      std::vector<double> one = b[c];
      const int k = c == 1 ? 1 : 0;
      solve_tridiagonal(lo[k], di[k], up[k], one, scratch);
      for (std::size_t i = 0; i < n; ++i) CHECK(side[3 * i + c] == one[i]);
    }
    if (n < 3) continue;
    // The periodic system likewise.
    CyclicTridiagonalFactors cf;
    factor_cyclic_tridiagonal(lo[1], di[1], up[1], cf);
    std::vector<double> work(3 * n);
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t i = 0; i < n; ++i) side[3 * i + c] = b[c][i];
    substitute_cyclic_tridiagonal(cf, side, 3);
    for (std::size_t c = 0; c < 3; ++c) {
      std::vector<double> one = b[c], alone = b[c];
      solve_cyclic_tridiagonal(lo[1], di[1], up[1], one, work);
      substitute_cyclic_tridiagonal(cf, alone);
      for (std::size_t i = 0; i < n; ++i) {
        CHECK(alone[i] == one[i]);
        CHECK(side[3 * i + c] == one[i]);
      }
    }
  }
}

TEST_CASE("transport: alike species together, and a kept elimination, give the numbers of each solved afresh") {
  const Parameters p = default_parameters();
  const Grid g = make_uniform_grid(p.z_bottom, 0.05);
  const std::vector<double> Fr = resting_F(g, p);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> U(0.0, 2.0);
  auto random_column = [&] {
    ColumnState u(g.size());
    for (auto& x : u)
      for (int s = 0; s < kSpeciesCount; ++s) x[s] = U(rng);
    return u;
  };
  // Other D for Ca, T and M2 leave Cp and M1 alone in their groups (mobility.hpp), with the
  // matrices they had: nine systems a step against six.
  Parameters apart = p;
  apart.D_Ca = 0.5 * p.D_Cp;
  apart.D_T = 2.0 * p.D_Cp;
  apart.D_M2 = 3.0 * p.D_M1;
  ColumnTransport together(g, p, Fr), alone(g, apart, Fr);
  ColumnState a = random_column(), b = a;
  together.step(a, 0.3);
  alone.step(b, 0.3);
  CHECK(together.eliminations() == 6);
  CHECK(alone.eliminations() == 9);
  for (std::size_t i = 0; i < g.size(); ++i)
    for (int s : {Cp, M1}) CHECK(a[i][s] == b[i][s]);

  // Kept while dt stays (all but F and Mf, chemotactic), redone when it changes; every step
  // the numbers of a transport built for it.
  ColumnTransport kept(g, p, Fr);
  for (auto [dt, eliminated] : {std::pair{0.1, 6u}, {0.1, 2u}, {0.2, 6u}, {0.2, 2u}, {0.1, 6u}}) {
    INFO("dt = " << dt);
    ColumnState x = random_column(), y = x;
    const std::size_t before = kept.eliminations();
    kept.step(x, dt);
    ColumnTransport(g, p, Fr).step(y, dt);
    CHECK(kept.eliminations() - before == eliminated);
    for (std::size_t i = 0; i < g.size(); ++i)
      for (int s = 0; s < kSpeciesCount; ++s) REQUIRE(x[i][s] == y[i][s]);
  }
}

TEST_CASE("transport: conserves every species, keeps it >= 0, and leaves the rest profile alone") {
  const Parameters p = default_parameters();
  const Grid g = make_uniform_grid(p.z_bottom, 0.025);
  const std::vector<double> Fr = resting_F(g, p);
  ColumnTransport tr(g, p, Fr);
  ColumnState u(g.size(), SpeciesVector::Zero());
  for (std::size_t i = 0; i < g.size(); ++i) {
    u[i][F] = Fr[i];
    // a sharp spike of signals and cells near the top, T steep so chemotaxis is strong
    const double bump = std::exp(-std::pow((g.centre[i] - 0.3) / 0.05, 2));
    u[i][Cp] = bump;
    u[i][T] = 5.0 * bump;
    u[i][N] = bump;
    u[i][Mf] = 0.5 * bump;
  }
  std::vector<double> before(kSpeciesCount);
  for (int s = 0; s < kSpeciesCount; ++s) before[s] = column_total(u, s, g.dz);
  for (int k = 0; k < 50; ++k) tr.step(u, 0.5);  // steps far beyond the explicit limit
  for (int s = 0; s < kSpeciesCount; ++s) {
    INFO(kSpeciesInfo[s].name);
    CHECK(column_total(u, s, g.dz) == Approx(before[s]).epsilon(1e-12));
    for (const auto& x : u) CHECK(x[s] >= 0.0);
  }

  // The resting fibroblast profile (stepped between layers) is an exact fixed point.
  ColumnState rest(g.size(), SpeciesVector::Zero());
  for (std::size_t i = 0; i < g.size(); ++i) rest[i][F] = Fr[i];
  ColumnState moved = rest;
  for (int k = 0; k < 20; ++k) tr.step(moved, 1.0);
  for (std::size_t i = 0; i < g.size(); ++i) CHECK(moved[i][F] == Approx(Fr[i]).epsilon(1e-13));
}

TEST_CASE("transport: diffusion of a cosine mode converges at second order in space") {
  Parameters p = default_parameters();
  const double L = p.z_bottom, D = p.D_Cp, t_end = 0.2;
  auto error_at = [&](double dz) {
    const Grid g = make_uniform_grid(L, dz);
    ColumnTransport tr(g, p, std::vector<double>(g.size(), 1.0));
    ColumnState u(g.size(), SpeciesVector::Zero());
    const double k = std::numbers::pi / L;
    // cell averages of 1 + cos(kz)
    for (std::size_t i = 0; i < g.size(); ++i)
      u[i][Cp] = 1.0 + (std::sin(k * g.bottom(i)) - std::sin(k * g.top(i))) / (k * g.dz);
    const int steps = 4000;  // time error far below the spatial error
    for (int n = 0; n < steps; ++n) tr.step(u, t_end / steps);
    double err = 0.0;
    // backward Euler's exact decay factor per step for the continuous mode
    const double decay = std::pow(1.0 + D * k * k * t_end / steps, -steps);
    for (std::size_t i = 0; i < g.size(); ++i) {
      const double exact = 1.0 + decay * (std::sin(k * g.bottom(i)) - std::sin(k * g.top(i))) / (k * g.dz);
      err = std::max(err, std::abs(u[i][Cp] - exact));
    }
    return err;
  };
  const double e1 = error_at(0.1), e2 = error_at(0.05), e3 = error_at(0.025);
  const double order = std::log2(e2 / e3);
  INFO("errors " << e1 << " " << e2 << " " << e3);
  CHECK(std::log2(e1 / e2) == Approx(2.0).margin(0.2));
  CHECK(order == Approx(2.0).margin(0.2));
}
