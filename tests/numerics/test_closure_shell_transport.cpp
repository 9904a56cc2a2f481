// The shell chain's transport (closure_shell_transport.hpp): one shell is the two-compartment
// transport, to round-off; totals conserved and every species ≥ 0 for any step and exchange;
// compartments without area follow their neighbour; bad geometry is refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "citsim/numerics/closure_shell_transport.hpp"
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

SpeciesVector total(const ColumnState& u, const std::vector<ShellGeometry>& g) {
  SpeciesVector t = SpeciesVector::Zero();
  const std::size_t m = g[0].area.size();
  for (std::size_t i = 0; i < g.size(); ++i)
    for (std::size_t k = 0; k < m; ++k) t += g[i].area[k] * u[m * i + k];
  return t;
}

/// Cores that narrow with depth, vanish, and fill a cell: every kind of face.
const std::vector<double> kCores = {1.0, 0.5, 0.3, 0.3, 0.1, 0.0, 0.0, 0.2, 0.6, 0.05};

std::vector<ShellGeometry> geometry(int K) {
  const DistanceHistogram h = poisson_distances({ChannelShape::Cylinders, 2.5}, 1e-3);
  std::vector<ShellGeometry> g;
  for (double a : kCores) g.push_back(shell_geometry(h, a, K));
  return g;
}

constexpr double kSettled = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("shell transport: one shell is the core/surround transport", "[closure][shells]") {
  Setup su;
  const std::size_t n = su.grid.size();
  const std::vector<ShellGeometry> g = geometry(1);
  std::vector<ExchangeGeometry> faces;
  for (const ShellGeometry& c : g) faces.push_back(c.face[0]);
  for (double since : {0.0, 0.3, kSettled}) {
    ShellTransport shells(su.grid, su.p, 1, su.F_rest);
    ClosureTransport two(su.grid, su.p, su.F_rest);
    shells.set_geometry(g, since);
    two.set_geometry(kCores, faces, since);
    ColumnState u = random_points(2 * n, 11), v = u;
    for (double dt : {1e-3, 0.05, 2.0}) {
      shells.step(u, dt);
      two.step(v, dt);
    }
    for (std::size_t i = 0; i < 2 * n; ++i)
      for (int s = 0; s < kSpeciesCount; ++s) {
        INFO("point " << i << ", species " << s << ", since " << since);
        CHECK(u[i][s] == Approx(v[i][s]).epsilon(1e-10).margin(1e-14));
      }
  }
}

TEST_CASE("shell transport: totals conserved and positivity for any step and exchange", "[closure][shells]") {
  Setup su;
  const std::size_t n = su.grid.size();
  for (int K : {2, 5}) {
    const std::vector<ShellGeometry> g = geometry(K);
    const std::size_t m = static_cast<std::size_t>(K) + 1;
    for (double since : {0.0, kSettled}) {
      ShellTransport tr(su.grid, su.p, K, su.F_rest);
      tr.set_geometry(g, since);
      ColumnState u = random_points(m * n, 7);
      const SpeciesVector before = total(u, g);
      for (double dt : {1e-4, 0.1, 10.0, 1e4}) tr.step(u, dt);
      const SpeciesVector after = total(u, g);
      for (int s = 0; s < kSpeciesCount; ++s) CHECK(after[s] == Approx(before[s]).epsilon(1e-11));
      for (const auto& x : u) CHECK(x.minCoeff() >= -1e-12);
      // All core (cell 0): the shells follow the core; no core (cells 5, 6): it follows shell 1.
      for (int s : {Cp, T, F, Mf}) {
        for (std::size_t k = 1; k < m; ++k) CHECK(u[k][s] == u[0][s]);
        for (std::size_t i : {5u, 6u}) CHECK(u[m * i][s] == u[m * i + 1][s]);
      }
    }
  }
}

TEST_CASE("shell transport: a long step relaxes each cell's chain to its mean", "[closure][shells]") {
  // A single cell: no depth transport, so a step far longer than the chain's slowest time
  // leaves every shell at the cell's area-weighted mean.
  const Grid grid = make_uniform_grid(0.1, 0.1);
  const Parameters p = default_parameters();
  const std::vector<ShellGeometry> g = {shell_geometry(poisson_distances({ChannelShape::Slits, 1.2}, 1e-3), 0.2, 4)};
  ShellTransport tr(grid, p, 4, {1.0});
  tr.set_geometry(g, kSettled);
  ColumnState u = random_points(5, 5);
  const SpeciesVector mean = total(u, g);
  tr.step(u, 1e9);
  for (int s : {Cp, T, B}) {
    if (mobility(p).D[static_cast<std::size_t>(s)] == 0.0) continue;
    for (std::size_t k = 0; k < 5; ++k) CHECK(u[k][s] == Approx(mean[s]).epsilon(1e-6));
  }
}

TEST_CASE("shell transport: a geometry that does not fit is refused", "[closure][shells]") {
  Setup su;
  CHECK_THROWS_AS(ShellTransport(su.grid, su.p, 0, su.F_rest), std::invalid_argument);
  ShellTransport tr(su.grid, su.p, 2, su.F_rest);
  CHECK_THROWS_AS(tr.set_geometry(geometry(3), 0.0), std::invalid_argument);
  std::vector<ShellGeometry> bad = geometry(2);
  bad[3].area[1] += 0.1;
  CHECK_THROWS_AS(tr.set_geometry(bad, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(tr.set_geometry(geometry(2), -1.0), std::invalid_argument);
  ColumnState wrong(7);
  tr.set_geometry(geometry(2), 0.0);
  CHECK_THROWS_AS(tr.step(wrong, 0.1), std::invalid_argument);
}
