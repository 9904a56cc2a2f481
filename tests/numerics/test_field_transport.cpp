// Transport on 2D/3D fields (field_transport.hpp) and the periodic tridiagonal solver: exact
// solves, conservation, positivity with steep TGF-β gradients, a laterally uniform field moves
// exactly as a column, a laterally varying one spreads symmetrically across the periodic side;
// the same numbers at any thread count, grouped or alone, with kept eliminations or afresh.
#include <catch2/catch.hpp>

#include <omp.h>

#include <cmath>
#include <random>

#include "citsim/io/parameter_file.hpp"
#include "citsim/numerics/field_transport.hpp"
#include "citsim/numerics/tridiagonal.hpp"

using namespace citsim;

namespace {

FieldState resting_like(const FieldGrid& g) {
  FieldState u(g.cells());
  for (auto& x : u) x.setZero();
  return u;
}

double total(const FieldState& u, int s) {
  double t = 0.0;
  for (const auto& x : u) t += x[s];
  return t;
}

}  // namespace

TEST_CASE("cyclic tridiagonal: solves the periodic system", "[transport]") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  for (std::size_t n : {3u, 4u, 17u}) {
    std::vector<double> lo(n), d(n), up(n), x(n), b(n), work(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
      lo[i] = -U(rng);
      up[i] = -U(rng);
      d[i] = 2.5 + U(rng);
      x[i] = U(rng);
    }
    for (std::size_t i = 0; i < n; ++i)
      b[i] = lo[i] * x[(i + n - 1) % n] + d[i] * x[i] + up[i] * x[(i + 1) % n];
    solve_cyclic_tridiagonal(lo, d, up, b, work);
    for (std::size_t i = 0; i < n; ++i) CHECK(b[i] == Approx(x[i]).margin(1e-13));
  }
}

TEST_CASE("field transport: a laterally uniform field moves exactly as the column", "[transport]") {
  const Parameters p = fitted_defaults();
  for (double width_y : {0.0, 0.3}) {
    const FieldGrid g = make_field_grid(0.4, width_y, 0.1, 2.9, 0.1);
    std::vector<double> F_rest(g.nz());
    for (std::size_t i = 0; i < g.nz(); ++i) F_rest[i] = 1.0 + (g.depth.centre[i] < 0.4 ? 0.5 : 0.0);
    ColumnState column(g.nz());
    for (std::size_t i = 0; i < g.nz(); ++i) {
      column[i].setZero();
      column[i][T] = std::exp(-g.depth.centre[i] * 5.0);
      column[i][F] = F_rest[i] * (1.0 + 0.3 * std::sin(7.0 * g.depth.centre[i]));
      column[i][Cp] = g.depth.centre[i];
    }
    FieldState u(g.cells());
    for (std::size_t c = 0; c < g.columns(); ++c)
      for (std::size_t i = 0; i < g.nz(); ++i) u[c * g.nz() + i] = column[i];
    FieldTransport(g, p, F_rest).step(u, 0.3);
    ColumnTransport(g.depth, p, F_rest).step(column, 0.3);
    for (std::size_t c = 0; c < g.columns(); ++c)
      for (std::size_t i = 0; i < g.nz(); ++i)
        for (int s : {T, F, Cp}) CHECK(u[c * g.nz() + i][s] == Approx(column[i][s]).epsilon(1e-12).margin(1e-14));
  }
}

TEST_CASE("field transport: conserves, stays positive, is symmetric across the periodic side", "[transport]") {
  Parameters p = fitted_defaults();
  p.chi_F = 1.0;  // strong chemotaxis: positivity must come from upwinding
  const FieldGrid g = make_field_grid(1.0, 0.0, 0.05, 1.0, 0.05);
  std::vector<double> F_rest(g.nz(), 1.0);
  FieldState u = resting_like(g);
  // A TGF-β slit at the left edge (x = dx/2), fibroblasts everywhere.
  for (std::size_t ix = 0; ix < g.nx; ++ix)
    for (std::size_t iz = 0; iz < g.nz(); ++iz) {
      u[g.index(ix, 0, iz)][T] = ix == 0 ? 50.0 : 0.0;
      u[g.index(ix, 0, iz)][F] = 1.0;
    }
  const double T0 = total(u, T), F0 = total(u, F);
  FieldTransport tr(g, p, F_rest);
  for (int k = 0; k < 5; ++k) tr.step(u, 0.1);
  CHECK(total(u, T) == Approx(T0).epsilon(1e-12));
  CHECK(total(u, F) == Approx(F0).epsilon(1e-12));
  for (const auto& x : u)
    for (int s = 0; s < kSpeciesCount; ++s) CHECK(x[s] >= 0.0);
  // Mirror symmetry about x = dx/2: cell 1 and cell nx−1 see the same.
  for (std::size_t iz = 0; iz < g.nz(); ++iz) {
    CHECK(u[g.index(1, 0, iz)][T] == Approx(u[g.index(g.nx - 1, 0, iz)][T]).epsilon(1e-10));
    CHECK(u[g.index(1, 0, iz)][F] == Approx(u[g.index(g.nx - 1, 0, iz)][F]).epsilon(1e-10));
  }
  // Fibroblasts gathered toward the TGF-β slit.
  CHECK(u[g.index(0, 0, 3)][F] > 1.0);
  CHECK(u[g.index(g.nx / 2, 0, 3)][F] < 1.0);
}

TEST_CASE("field transport: same numbers with one and two threads", "[transport]") {
  const Parameters p = fitted_defaults();
  const FieldGrid g = make_field_grid(0.5, 0.5, 0.05, 0.5, 0.05);
  std::vector<double> F_rest(g.nz(), 1.0);
  FieldState u0 = resting_like(g);
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  for (auto& x : u0)
    for (int s = 0; s < kSpeciesCount; ++s) x[s] = U(rng);
  FieldState a = u0, b = u0;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  FieldTransport one(g, p, F_rest);
  omp_set_num_threads(2);
  FieldTransport two(g, p, F_rest);
  omp_set_num_threads(saved);
  for (double dt : {0.2, 0.2, 0.05}) {  // kept eliminations too
    one.step(a, dt);
    two.step(b, dt);
  }
  for (std::size_t i = 0; i < a.size(); ++i)
    for (int s = 0; s < kSpeciesCount; ++s) CHECK(a[i][s] == b[i][s]);
}

TEST_CASE("field transport: alike species together, and kept eliminations, give the numbers of each solved afresh",
          "[transport]") {
  // x and y of different lengths and spacings, so that a system kept for one is wrong for the other.
  const Parameters p = fitted_defaults();
  const FieldGrid g = make_field_grid(0.5, 0.3, 0.05, 0.5, 0.05);
  REQUIRE(g.nx != g.ny);
  std::vector<double> F_rest(g.nz());
  for (std::size_t i = 0; i < g.nz(); ++i) F_rest[i] = 1.0 + 0.5 * g.depth.centre[i];
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  auto random_field = [&] {
    FieldState u(g.cells());
    for (auto& x : u)
      for (int s = 0; s < kSpeciesCount; ++s) x[s] = U(rng);
    return u;
  };
  // Cp and M1 alone in their groups give what they give grouped.
  Parameters apart = p;
  apart.D_Ca = 0.5 * p.D_Cp;
  apart.D_T = 2.0 * p.D_Cp;
  apart.D_M2 = 3.0 * p.D_M1;
  FieldState a = random_field(), b = a;
  FieldTransport(g, p, F_rest).step(a, 0.3);
  FieldTransport(g, apart, F_rest).step(b, 0.3);
  for (std::size_t i = 0; i < a.size(); ++i)
    for (int s : {Cp, M1}) CHECK(a[i][s] == b[i][s]);
  // A transport that keeps its eliminations against one built for each step.
  FieldTransport kept(g, p, F_rest);
  for (double dt : {0.1, 0.1, 0.25, 0.25, 0.1}) {
    INFO("dt = " << dt);
    FieldState x = random_field(), y = x;
    kept.step(x, dt);
    FieldTransport(g, p, F_rest).step(y, dt);
    for (std::size_t i = 0; i < x.size(); ++i)
      for (int s = 0; s < kSpeciesCount; ++s) REQUIRE(x[i][s] == y[i][s]);
  }
}
