// Column transport: conservation, positivity, the resting fibroblast profile, convergence.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

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
