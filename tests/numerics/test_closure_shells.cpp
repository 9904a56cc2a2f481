// The distance-resolved closure geometry (closure_shells.hpp): its distributions against their
// closed forms, K = 1 against the slab's and the Krogh cell's profiles, and the shell chain's
// slowest relaxation against the exact diffusion eigenvalue of the lattice cell as K grows.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include <Eigen/Dense>

#include "citsim/numerics/closure_shells.hpp"

using namespace citsim;

namespace {

/// Regular slits at spacing L on a periodic domain of `count` spacings.
ChannelPattern regular_slits(double L, int count) {
  ChannelPattern p;
  for (int i = 0; i < count; ++i) p.x.push_back((i + 0.3) * L), p.y.push_back(0.0);
  return p;
}

/// The Krogh cell's distribution (a disc of radius R: F = r²/R²) in bins of `bin`.
DistanceHistogram krogh(double R, double bin) {
  DistanceHistogram h{bin, {}};
  for (double r = 0.0; r < R - 1e-12; r += bin) {
    const double r1 = std::min(R, r + bin);
    h.weight.push_back((r1 * r1 - r * r) / (R * R));
  }
  return h;
}

/// G of a Krogh cell (areal density n, core area a) from its pseudo-steady profiles by quadrature
/// (D = 1, flux density J = 1 at the core's edge): core disc with a uniform sink, annulus with a
/// uniform source, no flux at R. What two compartments exchange on cylinders, independently of
/// the histogram integrals of closure_shells.cpp.
double krogh_by_quadrature(double n, double a) {
  const double R = 1.0 / std::sqrt(std::numbers::pi * n), rc = R * std::sqrt(a);
  // Core: ∇²c = −s (a uniform sink) with s·π·rc² = 2π·rc ⇒ c(r) − c(rc) = (s/4)(rc² − r²).
  const double s = 2.0 / rc;
  const int m = 20000;
  double core = 0.0, sur = 0.0;
  for (int k = 0; k < m; ++k) {
    const double r = (k + 0.5) * rc / m;
    core += (s / 4.0) * (rc * rc - r * r) * 2.0 * r * (rc / m);
  }
  core /= rc * rc;  // core mean − interface value (> 0)
  // Annulus: ∇²c = q (a uniform source) with c'(R) = 0 and q·π(R² − rc²) = 2π·rc.
  const double q = 2.0 * rc / (R * R - rc * rc);
  double c = 0.0;
  const double dr = (R - rc) / m;
  for (int k = 0; k < m; ++k) {  // c' = (q/2)(r − R²/r) integrated exactly over each ring
    const double r0 = rc + k * dr, r1 = r0 + dr, rm = r0 + 0.5 * dr;
    const double dc = (q / 2.0) * (0.5 * (r1 * r1 - r0 * r0) - R * R * std::log(r1 / r0));
    sur += (c + 0.5 * dc) * 2.0 * rm * dr;
    c += dc;
  }
  sur /= R * R - rc * rc;  // annulus mean − interface value (< 0)
  // Exchange per unit tissue area: n · 2π·rc · J = G · D · Δc.
  return n * 2.0 * std::numbers::pi * rc / (core - sur);
}

/// Mean distance Σ w·(bin centre).
double mean_distance(const DistanceHistogram& h) {
  double m = 0.0;
  for (std::size_t j = 0; j < h.weight.size(); ++j) m += h.weight[j] * (j + 0.5) * h.bin;
  return m;
}

/// The slowest rate of the shell chain dc/dt = −A⁻¹·L·c (D = 1): the smallest non-zero
/// eigenvalue of the symmetric A^−½·L·A^−½.
double slowest_rate(const ShellGeometry& g) {
  const auto n = static_cast<Eigen::Index>(g.area.size());
  Eigen::MatrixXd L = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index k = 0; k + 1 < n; ++k) {
    const double G = g.coupling[static_cast<std::size_t>(k)];
    L(k, k) += G, L(k + 1, k + 1) += G, L(k, k + 1) -= G, L(k + 1, k) -= G;
  }
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      L(i, j) /= std::sqrt(g.area[static_cast<std::size_t>(i)] * g.area[static_cast<std::size_t>(j)]);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(L);
  return es.eigenvalues()(1);
}

}  // namespace

TEST_CASE("closure shells: Poisson distance distributions have their closed-form mean", "[closure][shells]") {
  // Mean distance to the nearest point of a Poisson pattern: 1/(2√n) (cylinders), 1/(2λ) (slits).
  const DistanceHistogram c = poisson_distances({ChannelShape::Cylinders, 2.5}, 1e-4);
  const DistanceHistogram s = poisson_distances({ChannelShape::Slits, 1.5}, 1e-4);
  CHECK(std::accumulate(c.weight.begin(), c.weight.end(), 0.0) == Approx(1.0).epsilon(1e-12));
  CHECK(std::accumulate(s.weight.begin(), s.weight.end(), 0.0) == Approx(1.0).epsilon(1e-12));
  CHECK(mean_distance(c) == Approx(0.5 / std::sqrt(2.5)).epsilon(1e-4));
  CHECK(mean_distance(s) == Approx(0.5 / 1.5).epsilon(1e-4));
  CHECK_THROWS_AS(poisson_distances({ChannelShape::Slits, 0.0}, 1e-3), std::invalid_argument);
  CHECK_THROWS_AS(poisson_distances({ChannelShape::Slits, 1.0}, 0.0), std::invalid_argument);
}

TEST_CASE("closure shells: realised distances of regular slits are uniform over half a spacing", "[closure][shells]") {
  const double L = 0.8;
  const DistanceHistogram h = realised_distances(regular_slits(L, 5), ChannelShape::Slits, 5 * L, 0.0, 0.01);
  REQUIRE(h.weight.size() == 40);  // [0, L/2) in bins of 0.01
  for (double w : h.weight) CHECK(w == Approx(0.01 / (L / 2)).epsilon(1e-9));
  CHECK_THROWS_AS(realised_distances(ChannelPattern{}, ChannelShape::Slits, 1.0, 0.0, 0.01), std::invalid_argument);
  ChannelPattern one;
  one.x = {0.2};
  one.y = {0.7};
  CHECK_THROWS_AS(realised_distances(one, ChannelShape::Cylinders, 1.0, 0.0, 0.01), std::invalid_argument);
  // A single cylinder on a periodic square: the mean distance to the nearest image, exactly
  // (1/6)(√2 + ln(1 + √2))·side for the square's centre-to-point mean distance.
  const DistanceHistogram sq = realised_distances(one, ChannelShape::Cylinders, 1.0, 1.0, 0.002);
  CHECK(mean_distance(sq) == Approx((std::sqrt(2.0) + std::log(1.0 + std::sqrt(2.0))) / 6.0).epsilon(2e-3));
}

// K = 1 is the two-compartment closure. On regular slits at spacing L both compartments are slabs
// (ρ = h/3 each side of a face, two faces per spacing): S = 2/L and G = 12/L² whatever the core's
// width. On a Krogh cell, the disc's and annulus's pseudo-steady profiles.
TEST_CASE("closure shells: one shell exchanges as the slab and Krogh profiles", "[closure][shells]") {
  const double L = 0.8;
  const DistanceHistogram slab = realised_distances(regular_slits(L, 3), ChannelShape::Slits, 3 * L, 0, 1e-3);
  const double n = 2.5, R = 1.0 / std::sqrt(std::numbers::pi * n);
  const DistanceHistogram disc = krogh(R, R / 4000);
  for (double a : {0.005, 0.05, 0.3, 0.7, 0.95}) {
    INFO("core area " << a);
    const ShellGeometry s1 = shell_geometry(slab, a, 1);
    REQUIRE(s1.area.size() == 2);
    CHECK(s1.area[0] == Approx(a));
    CHECK(s1.interface[0] == Approx(2.0 / L).epsilon(1e-3));
    CHECK(s1.face[0].core == Approx(a * L / 6.0).epsilon(1e-3));
    CHECK(s1.face[0].surround == Approx((1.0 - a) * L / 6.0).epsilon(1e-3));
    CHECK(s1.coupling[0] == Approx(12.0 / (L * L)).epsilon(1e-3));
    const ShellGeometry c1 = shell_geometry(disc, a, 1);
    CHECK(c1.boundary[0] == Approx(R * std::sqrt(a)).epsilon(1e-6));
    CHECK(c1.interface[0] == Approx(2.0 * std::sqrt(a) / R).epsilon(2e-3));  // 2·r_c/R²
    CHECK(c1.face[0].core == Approx(R * std::sqrt(a) / 4.0).epsilon(2e-3));  // the disc's r_c/4
    CHECK(c1.coupling[0] == Approx(krogh_by_quadrature(n, a)).epsilon(2e-3));
  }
  // Thinner cores exchange less on cylinders (the annulus's log resistance grows).
  CHECK(shell_geometry(disc, 0.01, 1).coupling[0] < shell_geometry(disc, 0.1, 1).coupling[0]);
}

TEST_CASE("closure shells: equal-area shells ordered outward, no coupling without a core", "[closure][shells]") {
  const DistanceHistogram h = poisson_distances({ChannelShape::Cylinders, 2.5}, 1e-4);
  const ShellGeometry g = shell_geometry(h, 0.2, 6);
  REQUIRE(g.area.size() == 7);
  CHECK(std::accumulate(g.area.begin(), g.area.end(), 0.0) == Approx(1.0).epsilon(1e-12));
  CHECK(g.area[0] == Approx(0.2));
  for (std::size_t k = 1; k < 7; ++k) CHECK(g.area[k] == Approx(0.8 / 6));
  for (std::size_t b = 0; b < 6; ++b) {
    CHECK(g.coupling[b] > 0.0);
    // The Poisson boundary: 1 − exp(−π·n·r²) = F.
    CHECK(1.0 - std::exp(-std::numbers::pi * 2.5 * g.boundary[b] * g.boundary[b]) == Approx(0.2 + 0.8 * b / 6.0).epsilon(1e-6));
    // The interface is the empty-space density at the boundary.
    const double r = g.boundary[b];
    CHECK(g.interface[b] == Approx(2 * std::numbers::pi * 2.5 * r * std::exp(-std::numbers::pi * 2.5 * r * r)).epsilon(1e-3));
    if (b > 0) CHECK(g.boundary[b] > g.boundary[b - 1]);
  }
  const ShellGeometry none = shell_geometry(h, 0.0, 3);  // no core: shells over all the tissue
  CHECK(none.area[0] == 0.0);
  for (std::size_t k = 1; k < 4; ++k) CHECK(none.area[k] == Approx(1.0 / 3));
  CHECK(none.coupling[0] == 0.0);
  CHECK(none.coupling[1] > 0.0);
  CHECK(none.coupling[2] > 0.0);
  const ShellGeometry all = shell_geometry(h, 1.0, 3);  // all core
  CHECK(all.area == std::vector<double>{1.0, 0.0, 0.0, 0.0});
  for (double G : all.coupling) CHECK(G == 0.0);
  CHECK_THROWS_AS(shell_geometry(h, 0.2, 0), std::invalid_argument);
  // A histogram with no area near the channels (empty first bins), without a core: the first
  // shell starts where the area does, and every number is finite.
  const DistanceHistogram gap{0.01, {0.0, 0.0, 0.25, 0.25, 0.25, 0.25}};
  const ShellGeometry g0 = shell_geometry(gap, 0.0, 2);
  CHECK(g0.boundary[0] == Approx(0.02));
  CHECK(g0.boundary[1] == Approx(0.04));
  CHECK(std::isfinite(g0.coupling[1]));
  CHECK(g0.coupling[1] > 0.0);
}

// A session's shells are cut around its widest core, so that a shell is one band of distance
// down the whole column (the channels are vertical): where the core narrows (the needle's tip,
// below it) only the first shell's inner edge follows it. Cut around each depth's own core
// instead, every band would shift with the core and depth transport would mix distances.
TEST_CASE("closure shells: cut around the widest core, every depth has the same shells", "[closure][shells]") {
  const DistanceHistogram h = poisson_distances({ChannelShape::Cylinders, 2.5}, 1e-4);
  const double widest = 0.2;
  const int K = 5;
  const ShellGeometry top = shell_geometry(h, widest, K, widest);
  const ShellGeometry own = shell_geometry(h, widest, K);
  CHECK(top.edge == own.edge);
  CHECK(top.coupling == own.coupling);
  for (double a : {0.15, 0.05, 1e-4, 0.0}) {
    INFO("core area " << a);
    const ShellGeometry g = shell_geometry(h, a, K, widest);
    CHECK(std::accumulate(g.area.begin(), g.area.end(), 0.0) == Approx(1.0).epsilon(1e-12));
    CHECK(g.area[0] == Approx(a).margin(1e-15));
    CHECK(g.area[1] == Approx(widest + (1.0 - widest) / K - a));
    for (std::size_t k = 2; k <= K; ++k) CHECK(g.area[k] == Approx((1.0 - widest) / K));
    // The same distances as at the widest core, beyond the first shell's inner edge.
    for (std::size_t b = 1; b < K; ++b) {
      CHECK(g.boundary[b] == top.boundary[b]);
      CHECK(g.interface[b] == top.interface[b]);
    }
    for (std::size_t b = 2; b < K; ++b) CHECK(g.coupling[b] == top.coupling[b]);
    CHECK(g.boundary[0] <= top.boundary[0]);
    CHECK((a > 0.0 ? g.coupling[0] > 0.0 : g.coupling[0] == 0.0));
    for (std::size_t b = 1; b < K; ++b) CHECK(g.coupling[b] > 0.0);
  }
  // A widest core narrower than the local one is the local one.
  CHECK(shell_geometry(h, 0.3, K, 0.1).edge == shell_geometry(h, 0.3, K).edge);
  // A widest core of 1: the local surround is the first shell, the others have no area.
  const ShellGeometry full = shell_geometry(h, 0.4, K, 1.0);
  CHECK(full.area[1] == Approx(0.6));
  for (std::size_t k = 2; k <= K; ++k) CHECK(full.area[k] == 0.0);
  CHECK(full.coupling[0] > 0.0);
  for (std::size_t b = 1; b < K; ++b) CHECK(full.coupling[b] == 0.0);
  for (double x : full.coupling) CHECK(std::isfinite(x));
}

// The chain is a finite-volume discretisation of radial diffusion in the distance coordinate:
// its slowest relaxation converges, as K grows, to the lattice cell's Neumann eigenvalue:
// (2π/L)² for slits at spacing L, (j'₁/R)² (j'₁ = 3.8317, the first zero of J₀') for a Krogh disc.
TEST_CASE("closure shells: the chain's slowest relaxation converges to the cell's diffusion eigenvalue",
          "[closure][shells]") {
  const double L = 0.8, a = 0.02;
  const DistanceHistogram slab = realised_distances(regular_slits(L, 2), ChannelShape::Slits, 2 * L, 0, 2e-4);
  const double R = 0.35;
  const DistanceHistogram disc = krogh(R, R / 20000);
  const double exact_slab = std::pow(2 * std::numbers::pi / L, 2), exact_disc = std::pow(3.831705970207512 / R, 2);
  // From 8 shells on the error falls roughly with K^−1.7 (below that the core, one cell however
  // small, dominates: 2 compartments relax at G·(1/a + 1/(1 − a)), not at the cell's rate).
  double err_slab = 1.0, err_disc = 1.0;
  for (int K : {8, 16, 32}) {
    const double es = std::abs(slowest_rate(shell_geometry(slab, a, K)) / exact_slab - 1.0);
    const double ed = std::abs(slowest_rate(shell_geometry(disc, a, K)) / exact_disc - 1.0);
    INFO("K = " << K << ": slab error " << es << ", disc error " << ed);
    CHECK(es < 0.8 * err_slab);
    CHECK(ed < 0.8 * err_disc);
    err_slab = es;
    err_disc = ed;
  }
  CHECK(err_slab < 2e-3);
  CHECK(err_disc < 2e-3);
}
