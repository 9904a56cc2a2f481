// The shell chain's transport (closure_shell_transport.hpp), with one shell (two compartments)
// and more: totals conserved and every species ≥ 0 for any step and exchange, compartments
// without area follow their neighbour; a laterally uniform state moves as the column; the
// lateral part is the exact backward-Euler relaxation of the chain, fresh faces exchange faster
// on a clock that runs with the steps; fibroblasts climb TGF-β; an exchange far faster than the
// step leaves the mean in every compartment; bad geometry is refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include <Eigen/Dense>

#include "citsim/numerics/closure_exchange.hpp"
#include "citsim/numerics/closure_shell_transport.hpp"
#include "citsim/numerics/mobility.hpp"
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

/// A Poisson pattern of cylinders at the default density (250 per cm²).
DistanceHistogram cylinders() { return poisson_distances({ChannelShape::Cylinders, 2.5}, 1e-3); }

std::vector<ShellGeometry> geometry(int K) {
  const DistanceHistogram h = cylinders();
  std::vector<ShellGeometry> g;
  for (double a : kCores) g.push_back(shell_geometry(h, a, K));
  return g;
}

/// `g` with every face's area times `factor`: an exchange `factor` times as fast (0: none).
std::vector<ShellGeometry> faster(std::vector<ShellGeometry> g, double factor) {
  for (ShellGeometry& c : g)
    for (std::size_t b = 0; b < c.face.size(); ++b) {
      c.face[b].interface *= factor;
      c.coupling[b] *= factor;
      c.interface[b] *= factor;
    }
  return g;
}

/// The species that move: those with a diffusivity or a chemotactic sensitivity.
std::vector<int> mobile(const Parameters& p) {
  const Mobility m = mobility(p);
  std::vector<int> s;
  for (int k = 0; k < kSpeciesCount; ++k)
    if (m.D[static_cast<std::size_t>(k)] != 0.0 || m.chi[static_cast<std::size_t>(k)] != 0.0) s.push_back(k);
  return s;
}

/// One depth cell's chain after a backward-Euler step of pure exchange, D = `D`, settled faces:
/// (A + dt·D·L)·c' = A·c, solved densely here.
Eigen::VectorXd relaxed(const ShellGeometry& g, const Eigen::VectorXd& c, double D, double dt) {
  const auto n = static_cast<Eigen::Index>(g.area.size());
  Eigen::MatrixXd M = Eigen::MatrixXd::Zero(n, n);
  Eigen::VectorXd rhs(n);
  for (Eigen::Index k = 0; k < n; ++k) {
    M(k, k) = g.area[static_cast<std::size_t>(k)];
    rhs(k) = g.area[static_cast<std::size_t>(k)] * c(k);
  }
  for (Eigen::Index b = 0; b + 1 < n; ++b) {
    const double w = dt * D * g.coupling[static_cast<std::size_t>(b)];
    M(b, b) += w, M(b + 1, b + 1) += w, M(b, b + 1) -= w, M(b + 1, b) -= w;
  }
  return M.partialPivLu().solve(rhs);
}

constexpr double kSettled = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("shell transport: totals conserved and positivity for any step and exchange", "[closure][shells]") {
  Setup su;
  const std::size_t n = su.grid.size();
  for (int K : {1, 2, 5}) {
    const std::size_t m = static_cast<std::size_t>(K) + 1;
    // No exchange, the geometry's own, and exchanges up to 1e9 times faster.
    for (double factor : {0.0, 1.0, 1e3, 1e9}) {
      const std::vector<ShellGeometry> g = faster(geometry(K), factor);
      for (double since : {0.0, kSettled}) {
        INFO("K = " << K << ", exchange x " << factor << ", since " << since);
        ShellTransport tr(su.grid, su.p, K, su.F_rest);
        tr.set_geometry(g, since);
        ColumnState u = random_points(m * n, 7);
        const SpeciesVector before = total(u, g);
        for (double dt : {1e-4, 0.1, 10.0, 1e4}) tr.step(u, dt);
        const SpeciesVector after = total(u, g);
        for (int s = 0; s < kSpeciesCount; ++s) CHECK(after[s] == Approx(before[s]).epsilon(1e-12));
        for (const auto& x : u) CHECK(x.minCoeff() >= -1e-12);
        // All core (cell 0): the shells follow the core; no core (cells 5, 6): it follows shell 1.
        for (int s : mobile(su.p)) {
          for (std::size_t k = 1; k < m; ++k) CHECK(u[k][s] == u[0][s]);
          for (std::size_t i : {5u, 6u}) CHECK(u[m * i][s] == u[m * i + 1][s]);
        }
      }
    }
  }
}

TEST_CASE("shell transport: a laterally uniform state moves as the column, whatever the compartments",
          "[closure][shells]") {
  // Every compartment's depth links sum to its area, and equal compartments exchange nothing:
  // no core, all core, and cores that change with depth all give the column operator.
  Setup su;
  const std::size_t n = su.grid.size();
  const DistanceHistogram h = cylinders();
  for (int K : {1, 4}) {
    const std::size_t m = static_cast<std::size_t>(K) + 1;
    std::vector<std::vector<ShellGeometry>> cases = {geometry(K), {}, {}};
    for (std::size_t i = 0; i < n; ++i) {
      cases[1].push_back(shell_geometry(h, 0.0, K));
      cases[2].push_back(shell_geometry(h, 1.0, K));
    }
    for (const std::vector<ShellGeometry>& g : cases) {
      ShellTransport tr(su.grid, su.p, K, su.F_rest);
      tr.set_geometry(g, 0.0);
      ColumnTransport col(su.grid, su.p, su.F_rest);
      ColumnState one = random_points(n, 3), all(m * n);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < m; ++k) all[m * i + k] = one[i];
      col.step(one, 0.3);
      tr.step(all, 0.3);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < m; ++k)
          for (int s = 0; s < kSpeciesCount; ++s) {
            INFO("K = " << K << ", cell " << i << ", compartment " << k << ", species " << s);
            CHECK(all[m * i + k][s] == Approx(one[i][s]).epsilon(1e-10));
          }
    }
  }
}

TEST_CASE("shell transport: with all the area in the cores, the shells mirror cores that move as the column",
          "[closure][shells]") {
  // Untreated tissue: the shells hold no matter whatever they hold, so they take their core's
  // values, and the cores are the column. No block system is eliminated for it.
  Setup su;
  const std::size_t n = su.grid.size();
  const DistanceHistogram h = cylinders();
  for (int K : {1, 8}) {
    const std::size_t m = static_cast<std::size_t>(K) + 1;
    std::vector<ShellGeometry> g;
    for (std::size_t i = 0; i < n; ++i) g.push_back(shell_geometry(h, 1.0, K));
    ShellTransport tr(su.grid, su.p, K, su.F_rest);
    tr.set_geometry(g, 0.0);
    ColumnTransport col(su.grid, su.p, su.F_rest);
    ColumnState all = random_points(m * n, 5), cores(n);
    for (std::size_t i = 0; i < n; ++i) cores[i] = all[m * i];
    const ColumnState before = all;
    for (double dt : {0.3, 0.05}) {
      col.step(cores, dt);
      tr.step(all, dt);
    }
    CHECK(tr.eliminations() == 0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < m; ++k)
        for (int s = 0; s < kSpeciesCount; ++s) {
          INFO("K = " << K << ", cell " << i << ", compartment " << k << ", species " << s);
          if (col.diffusivity(s) > 0.0 || s == F || s == Mf)
            CHECK(all[m * i + k][s] == Approx(cores[i][s]).epsilon(1e-12));
          else
            CHECK(all[m * i + k][s] == before[m * i + k][s]);  // immobile: transport leaves it
        }
  }
}

TEST_CASE("shell transport: the lateral exchange is the exact backward-Euler relaxation of the chain",
          "[closure][shells]") {
  const Grid one_cell = make_uniform_grid(0.1, 0.1);
  REQUIRE(one_cell.size() == 1);
  const Parameters p = default_parameters();
  const DistanceHistogram h = cylinders();
  const double a = 0.12, dt = 0.7;
  for (int K : {1, 3}) {
    const ShellGeometry g = shell_geometry(h, a, K);
    const auto m = static_cast<std::size_t>(K) + 1;
    ShellTransport tr(one_cell, p, K, {1.0});
    tr.set_geometry(std::vector<ShellGeometry>{g}, kSettled);
    ColumnState u(m, SpeciesVector::Constant(0.5));
    u[0][Cp] = 4.0;  // a cytokine difference, no T difference (no chemotaxis)
    Eigen::VectorXd c = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(m), 0.5);
    c(0) = 4.0;
    const SpeciesVector before = total(u, {g});
    tr.step(u, dt);
    const Eigen::VectorXd expected = relaxed(g, c, p.D_Cp, dt);
    for (std::size_t k = 0; k < m; ++k) CHECK(u[k][Cp] == Approx(expected(static_cast<Eigen::Index>(k))).epsilon(1e-12));
    if (K == 1) {  // two compartments: the difference decays by 1 + dt·G·D·(1/a + 1/(1 − a))
      const double diff = 3.5 / (1.0 + dt * g.coupling[0] * p.D_Cp * (1.0 / a + 1.0 / (1.0 - a)));
      CHECK(u[0][Cp] - u[1][Cp] == Approx(diff).epsilon(1e-12));
    }
    CHECK(total(u, {g})[Cp] == Approx(before[Cp]).epsilon(1e-14));
    for (std::size_t k = 0; k < m; ++k) CHECK(u[k][C1] == 0.5);  // immobile species stay
  }
}

TEST_CASE("shell transport: a fresh face exchanges faster, and its clock runs with the steps",
          "[closure][shells]") {
  const Grid one_cell = make_uniform_grid(0.1, 0.1);
  const Parameters p = default_parameters();
  const double a = 0.1;
  const ShellGeometry g = shell_geometry(poisson_distances({ChannelShape::Slits, 0.5}, 2e-3), a, 1);
  auto gap_after = [&](double since, int steps) {
    ShellTransport tr(one_cell, p, 1, {1.0});
    tr.set_geometry(std::vector<ShellGeometry>{g}, since);
    ColumnState u(2, SpeciesVector::Constant(0.5));
    u[0][Cp] = 4.0;
    for (int k = 0; k < steps; ++k) tr.step(u, 0.5 / steps);
    return u[0][Cp] - u[1][Cp];
  };
  CHECK(gap_after(0.0, 1) < gap_after(kSettled, 1));
  // Two half steps from the injury relax as the exchange averaged over each of them.
  const double G1 = mean_exchange_factor(g.face[0], p.D_Cp, 0.0, 0.25);
  const double G2 = mean_exchange_factor(g.face[0], p.D_Cp, 0.25, 0.5);
  const double rate = p.D_Cp * (1.0 / a + 1.0 / (1.0 - a));
  CHECK(gap_after(0.0, 2) == Approx(3.5 / ((1.0 + 0.25 * G1 * rate) * (1.0 + 0.25 * G2 * rate))).epsilon(1e-12));
}

TEST_CASE("shell transport: fibroblasts climb the core's TGF-beta and stay positive", "[closure][shells]") {
  const Grid one_cell = make_uniform_grid(0.1, 0.1);
  Parameters p = default_parameters();
  p.D_F = 0.0;  // chemotaxis alone
  const DistanceHistogram h = cylinders();
  for (int K : {1, 3}) {
    const auto m = static_cast<std::size_t>(K) + 1;
    const std::vector<ShellGeometry> g = faster({shell_geometry(h, 0.2, K)}, 10.0);
    ShellTransport tr(one_cell, p, K, {1.0});
    tr.set_geometry(g, 0.0);
    ColumnState u(m, SpeciesVector::Constant(1.0));
    u[0][T] = 1000.0;  // a strong pull into the core
    tr.step(u, 50.0);
    CHECK(u[0][F] > 1.0);
    CHECK(u[1][F] < 1.0);  // the core's neighbour gives; shells beyond see no T difference
    for (std::size_t k = 1; k < m; ++k) {
      CHECK(u[k][F] >= 0.0);
      CHECK(u[k][F] <= 1.0);
    }
    CHECK(total(u, g)[F] == Approx(1.0).epsilon(1e-13));
  }
}

TEST_CASE("shell transport: an exchange far faster than the step leaves the mean in every compartment",
          "[closure][shells]") {
  // 1e12 times the geometry's own: the elimination subtracts no like-signed numbers, so no
  // round-off blows up.
  Setup su;
  const std::size_t n = su.grid.size();
  const DistanceHistogram h = cylinders();
  for (int K : {1, 4}) {
    const auto m = static_cast<std::size_t>(K) + 1;
    std::vector<ShellGeometry> g;
    for (std::size_t i = 0; i < n; ++i) g.push_back(shell_geometry(h, 0.3 * std::exp(-0.3 * static_cast<double>(i)), K));
    g = faster(g, 1e12);
    ShellTransport tr(su.grid, su.p, K, su.F_rest);
    tr.set_geometry(g, kSettled);
    ColumnTransport col(su.grid, su.p, su.F_rest);
    ColumnState all = random_points(m * n, 11), one(n);
    // Equal T in all compartments: chemotaxis would otherwise hold F apart at its own balance.
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 1; k < m; ++k) all[m * i + k][T] = all[m * i][T];
    for (std::size_t i = 0; i < n; ++i) {
      one[i] = SpeciesVector::Zero();
      for (std::size_t k = 0; k < m; ++k) one[i] += g[i].area[k] * all[m * i + k];
    }
    tr.step(all, 0.2);
    col.step(one, 0.2);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < m; ++k)
        for (int s : mobile(su.p)) {
          INFO("K = " << K << ", cell " << i << ", compartment " << k << ", species " << s);
          CHECK(all[m * i + k][s] == Approx(one[i][s]).epsilon(1e-9));
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

TEST_CASE("shell transport: alike species solved together give what each solved alone gives", "[closure][shells]") {
  // The defaults group Cp with Ca and T, M1 with M2 (mobility.hpp); other D for Ca, T and M2
  // leave Cp and M1 alone in their groups, with the same matrices as before.
  Setup su;
  const std::size_t n = su.grid.size();
  Parameters apart = su.p;
  apart.D_Ca = 0.5 * su.p.D_Cp;
  apart.D_T = 2.0 * su.p.D_Cp;
  apart.D_M2 = 3.0 * su.p.D_M1;
  for (int K : {1, 4}) {
    const std::size_t m = static_cast<std::size_t>(K) + 1;
    for (double since : {0.0, kSettled}) {
      INFO("K = " << K << ", since " << since);
      ShellTransport together(su.grid, su.p, K, su.F_rest), alone(su.grid, apart, K, su.F_rest);
      together.set_geometry(geometry(K), since);
      alone.set_geometry(geometry(K), since);
      ColumnState a = random_points(m * n, 21), b = a;
      for (double dt : {0.05, 0.3, 0.3}) {
        together.step(a, dt);
        alone.step(b, dt);
        // Six systems eliminated against nine in the first step.
        if (dt == 0.05) CHECK(together.eliminations() == 6);
        if (dt == 0.05) CHECK(alone.eliminations() == 9);
      }
      for (std::size_t i = 0; i < m * n; ++i)
        for (int s : {Cp, M1}) CHECK(a[i][s] == Approx(b[i][s]).epsilon(1e-14));
    }
  }
}

TEST_CASE("shell transport: a kept elimination gives the fresh one's numbers, and is redone when dt, the geometry "
          "or an unsettled exchange changes",
          "[closure][shells]") {
  Setup su;
  const std::size_t n = su.grid.size();
  const int K = 3;
  const std::size_t m = static_cast<std::size_t>(K) + 1;
  const std::vector<ShellGeometry> g1 = geometry(K), g2 = faster(geometry(K), 7.0);
  // Groups (mobility.hpp): 4 without chemotaxis, which can be kept, and F and Mf, never kept.
  const std::size_t groups = mobility_groups(mobility(su.p)).size(), kept = groups - 2;
  REQUIRE(groups == 6);

  ShellTransport tr(su.grid, su.p, K, su.F_rest);
  const std::vector<ShellGeometry>* g = &g1;
  double since = kSettled;
  unsigned seed = 100;
  // One step of `t` (with parameters `q`) against a transport built afresh for it, from the
  // same state; the systems `t` eliminated for it.
  auto step_of = [&](ShellTransport& t, const Parameters& q, double dt) {
    ShellTransport fresh(su.grid, q, K, su.F_rest);
    fresh.set_geometry(*g, since);
    ColumnState a = random_points(m * n, ++seed), b = a;
    const std::size_t before = t.eliminations();
    t.step(a, dt);
    fresh.step(b, dt);
    since += dt;
    for (std::size_t i = 0; i < m * n; ++i)
      for (int s = 0; s < kSpeciesCount; ++s) {
        INFO("point " << i << ", species " << s);
        REQUIRE(a[i][s] == b[i][s]);
      }
    return t.eliminations() - before;
  };
  auto step = [&](double dt) { return step_of(tr, su.p, dt); };

  SECTION("settled faces: kept while dt and the geometry stay") {
    tr.set_geometry(g1, since);
    CHECK(step(0.1) == groups);
    CHECK(step(0.1) == groups - kept);
    CHECK(step(0.1) == groups - kept);
    CHECK(step(0.2) == groups);  // another dt
    CHECK(step(0.2) == groups - kept);
    CHECK(step(0.1) == groups);  // and back
    g = &g2;
    tr.set_geometry(g2, since);  // another geometry, the same dt
    CHECK(step(0.1) == groups);
    CHECK(step(0.1) == groups - kept);
    tr.set_geometry(g2, since);  // even the same one again
    CHECK(step(0.1) == groups);
  }
  SECTION("fresh faces: redone every step until every face has settled") {
    // Two speeds: the cytokines and TGF-beta settle long before the cells.
    Parameters p = su.p;
    p.D_N = p.D_M1 = p.D_M2 = p.D_B;
    REQUIRE(mobility_groups(mobility(p)).size() == 4);  // B N M1 M2, Cp Ca T, F, Mf
    ShellTransport kept(su.grid, p, K, su.F_rest);
    auto settling = [&](double D) {
      double t = 0.0;
      for (const ShellGeometry& c : g1)
        for (const ExchangeGeometry& f : c.face) t = std::max(t, settling_time(f, D));
      return t;
    };
    const double fast = settling(p.D_Cp), slow = settling(p.D_B);
    REQUIRE(fast > 0.0);
    REQUIRE(slow > fast + 0.15);
    auto step_p = [&](double dt) { return step_of(kept, p, dt); };
    since = 0.0;
    kept.set_geometry(g1, since);
    CHECK(step_p(0.1) == 4);
    CHECK(step_p(0.1) == 4);  // the same dt, but every exchange has changed
    since = slow - 0.15;      // a new injury of the same geometry; the fast ones have settled
    kept.set_geometry(g1, since);
    CHECK(step_p(0.1) == 4);
    CHECK(step_p(0.1) == 3);  // the fast group kept; the slow one ends settled, but started before
    CHECK(step_p(0.1) == 3);  // the slow group's first settled step: the one before cannot be kept
    CHECK(step_p(0.1) == 2);  // only F and Mf, chemotactic, are redone
  }
}
