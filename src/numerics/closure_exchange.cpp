#include "citsim/numerics/closure_exchange.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace citsim {
namespace {

/// ∫ S/(2k√τ) dτ, ∫ S/(k√τ + ρ) dτ and ∫ S/ρ dτ: the antiderivative of G(τ) in the regime
/// where both sides, one side (the one with the smaller ρ_small settled), or none are transient.
double integral(double S, double k, double rho_small, double rho_sum, double tau_small, double tau_big, double tau) {
  if (tau <= tau_small) return S * std::sqrt(tau) / k;
  const double at_small = S * std::sqrt(tau_small) / k;
  auto mixed = [&](double t) {
    const double u = std::sqrt(t);
    return S * (2.0 / k) * (u - (rho_small / k) * std::log(k * u + rho_small));
  };
  if (tau <= tau_big) return at_small + mixed(tau) - mixed(tau_small);
  return at_small + mixed(tau_big) - mixed(tau_small) + S * (tau - tau_big) / rho_sum;
}

}  // namespace

double exchange_factor(const ExchangeGeometry& g) {
  return g.interface > 0.0 ? g.interface / (g.core + g.surround) : 0.0;
}

double mean_exchange_factor(const ExchangeGeometry& g, double D, double tau0, double tau1) {
  const double G = exchange_factor(g);
  if (G == 0.0 || !(D > 0.0) || std::isinf(tau0)) return G;
  if (!(tau0 >= 0.0 && tau1 > tau0)) throw std::invalid_argument("mean_exchange_factor: needs 0 <= tau0 < tau1");
  const double k = std::sqrt(std::numbers::pi * D);
  const double rho_small = std::min(g.core, g.surround);
  const double tau_small = rho_small * rho_small / (k * k), tau_big = settling_time(g, D);
  const double rho_sum = g.core + g.surround;
  if (tau0 >= tau_big) return G;
  return (integral(g.interface, k, rho_small, rho_sum, tau_small, tau_big, tau1) -
          integral(g.interface, k, rho_small, rho_sum, tau_small, tau_big, tau0)) /
         (tau1 - tau0);
}

double settling_time(const ExchangeGeometry& g, double D) {
  if (exchange_factor(g) == 0.0 || !(D > 0.0)) return 0.0;
  const double k = std::sqrt(std::numbers::pi * D);
  const double rho_big = std::max(g.core, g.surround);
  return rho_big * rho_big / (k * k);
}

}  // namespace citsim
