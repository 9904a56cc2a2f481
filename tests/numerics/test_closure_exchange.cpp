// The closure's exchange (closure_exchange.hpp) against its defining problems: pseudo-steady
// profiles in a slab lattice and in a Krogh cylinder, integrated numerically here; the transient
// after the injury against a numerical average of its own rule.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <numbers>
#include <stdexcept>

#include "citsim/numerics/closure_exchange.hpp"

using namespace citsim;

namespace {

/// G from the pseudo-steady profile of a Krogh cell by quadrature (D = 1, flux density J = 1 at
/// the core's edge): core disc with a uniform sink, annulus with a uniform source, no flux at R.
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
  const double dC = core - sur;
  // Exchange per unit tissue area: n · 2π·rc · J = G · D · Δc.
  return n * 2.0 * std::numbers::pi * rc / dC;
}

}  // namespace

TEST_CASE("closure exchange: slits exchange at 12 λ² whatever the core's width", "[closure]") {
  for (double a : {0.01, 0.12, 0.5, 0.9})
    CHECK(exchange_factor({ChannelShape::Slits, 0.49}, a) == Approx(12.0 * 0.49 * 0.49).epsilon(1e-14));
}

TEST_CASE("closure exchange: cylinders match the Krogh cell's pseudo-steady profiles", "[closure]") {
  const double n = 2.5;  // 250 channels per cm²
  for (double a : {0.005, 0.03, 0.12, 0.5, 0.95})
    CHECK(exchange_factor({ChannelShape::Cylinders, n}, a) == Approx(krogh_by_quadrature(n, a)).epsilon(1e-4));
  // The core filling the cell: the core disc's own resistance R/4 is all that is left, G → 8/R².
  const double R2 = 1.0 / (std::numbers::pi * n);
  CHECK(exchange_factor({ChannelShape::Cylinders, n}, 1.0 - 1e-9) == Approx(8.0 / R2).epsilon(1e-6));
  CHECK(exchange_factor({ChannelShape::Cylinders, n}, 1.0 - 2e-4) ==
        Approx(exchange_factor({ChannelShape::Cylinders, n}, 1.0 - 0.5e-4)).epsilon(1e-3));
  // Thinner cores exchange less (the surround's log resistance grows), none without a core.
  CHECK(exchange_factor({ChannelShape::Cylinders, n}, 0.01) < exchange_factor({ChannelShape::Cylinders, n}, 0.1));
  CHECK(exchange_factor({ChannelShape::Cylinders, n}, 0.0) == 0.0);
  CHECK(exchange_factor({ChannelShape::Cylinders, 0.0}, 0.3) == 0.0);
  CHECK_THROWS_AS(exchange_factor({ChannelShape::Slits, -1.0}, 0.3), std::invalid_argument);
}

TEST_CASE("closure exchange: a fresh boundary exchanges as two half-spaces, then settles", "[closure]") {
  const ExchangeGeometry g = exchange_geometry({ChannelShape::Slits, 0.25}, 0.06);
  CHECK(g.interface == Approx(0.5));
  CHECK(g.core == Approx(0.06 * 4.0 / 6.0));
  CHECK(g.surround == Approx(0.94 * 4.0 / 6.0));
  const double D = 0.01, G = exchange_factor(g);
  // The rule: ρ = min(√(πDτ), ρ_pseudo-steady) on each side; its mean over a step by quadrature.
  auto rule = [&](double tau) {
    const double d = std::sqrt(std::numbers::pi * D * tau);
    return g.interface / (std::min(d, g.core) + std::min(d, g.surround));
  };
  auto quadrature = [&](double t0, double t1) {
    const int m = 200000;
    double sum = 0.0;
    for (int k = 0; k < m; ++k) {  // in √τ, where the 1/√τ start is smooth
      const double u0 = std::sqrt(t0) + (std::sqrt(t1) - std::sqrt(t0)) * (k + 0.5) / m;
      sum += rule(u0 * u0) * 2.0 * u0 * (std::sqrt(t1) - std::sqrt(t0)) / m;
    }
    return sum / (t1 - t0);
  };
  for (auto [t0, t1] : {std::pair{0.0, 1e-3}, {0.0, 0.5}, {0.5, 3.0}, {1.0, 80.0}, {10.0, 400.0}})
    CHECK(mean_exchange_factor(g, D, t0, t1) == Approx(quadrature(t0, t1)).epsilon(1e-6));
  // Faster than pseudo-steady while fresh, pseudo-steady once both sides have settled.
  CHECK(mean_exchange_factor(g, D, 0.0, 1.0) > 3.0 * G);
  const double settled = g.surround * g.surround / (std::numbers::pi * D);
  CHECK(mean_exchange_factor(g, D, settled, settled + 1.0) == G);
  CHECK(mean_exchange_factor(g, 0.0, 0.0, 1.0) == G);
  CHECK(mean_exchange_factor(g, D, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()) == G);
  CHECK_THROWS_AS(mean_exchange_factor(g, D, 1.0, 1.0), std::invalid_argument);
  CHECK(exchange_geometry({ChannelShape::Cylinders, 2.5}, 0.0).interface == 0.0);
}
