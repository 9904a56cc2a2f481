// The exchange across a face of the closure (closure_exchange.hpp): the settled factor, and the
// transient after the injury against a numerical average of its own rule. (The faces' geometry
// against the slab and Krogh profiles: test_closure_shells.cpp.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <numbers>
#include <stdexcept>

#include "citsim/numerics/closure_exchange.hpp"

using namespace citsim;

TEST_CASE("closure exchange: the settled factor is the face over the two distances", "[closure]") {
  CHECK(exchange_factor(ExchangeGeometry{0.5, 0.04, 0.6}) == Approx(0.5 / 0.64).epsilon(1e-15));
  CHECK(exchange_factor(ExchangeGeometry{}) == 0.0);  // no face, no exchange
}

TEST_CASE("closure exchange: a fresh boundary exchanges as two half-spaces, then settles", "[closure]") {
  // Slits 4 mm apart, a core of 6 %: S = 2λ, the slabs' ρ = h/3 on either side.
  const ExchangeGeometry g{0.5, 0.06 * 4.0 / 6.0, 0.94 * 4.0 / 6.0};
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
  CHECK(mean_exchange_factor(ExchangeGeometry{}, D, 0.0, 1.0) == 0.0);
}

TEST_CASE("closure exchange: from the settling time on, the mean factor is exactly the settled one", "[closure]") {
  // The larger side's ρ is reached at τ = ρ²/(πD); before it the mean exceeds G.
  const ExchangeGeometry g{0.5, 0.04, 0.6};
  const double G = exchange_factor(g);
  for (double D : {0.01, 0.3}) {
    const double settle = settling_time(g, D);
    CHECK(settle == Approx(0.36 / (std::numbers::pi * D)).epsilon(1e-14));
    CHECK(mean_exchange_factor(g, D, settle, settle + 0.1) == G);
    CHECK(mean_exchange_factor(g, D, 2.0 * settle, 2.0 * settle + 5.0) == G);
    CHECK(mean_exchange_factor(g, D, 0.99 * settle, settle + 0.1) > G);
  }
  CHECK(settling_time(ExchangeGeometry{}, 0.3) == 0.0);  // no face: always G (= 0)
  CHECK(settling_time(g, 0.0) == 0.0);                   // D = 0: no transient
}
