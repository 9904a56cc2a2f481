// Lateral exchange across one face of the 1D closure (closure_shells.hpp): between the core and
// the first shell, or between neighbouring shells.
//
// A species with diffusivity D crosses a face (area S per unit tissue volume) at the rate
// S·D·(c_inside − c_outside)/(ρ_inside + ρ_outside) per unit volume, ρ the distance from each
// compartment's mean to the face (closure_shells.hpp derives them from the channels' distance
// distribution). Those ρ are of profiles long after the injury. Just after it, when the new
// core's edge is a sharp step, only a layer √(πDτ) deep on either side has felt it (the exact
// flux into a half-space): ρ = min(√(πDτ), ρ_settled) on each side, τ the time since the
// injury. docs/model.md ("When 1D is enough") writes out the derivation.
#pragma once

namespace citsim {

/// One face between two neighbouring compartments of a depth cell.
struct ExchangeGeometry {
  double interface = 0.0;  ///< S: face area per unit tissue volume [1/mm]
  double core = 0.0;       ///< ρ of the inner compartment (nearer the channels) [mm]
  double surround = 0.0;   ///< ρ of the outer compartment [mm]
};

/// Settled exchange factor G = S/(ρ_core + ρ_surround) [1/mm²]: the rate per unit volume is
/// G·D·Δc. 0 without a face.
double exchange_factor(const ExchangeGeometry& g);

/// G of a species with diffusivity D [mm²/day] averaged over τ ∈ [tau0, tau1] days since the
/// injury, with each side's ρ = min(√(πDτ), settled ρ) (exact integral). D = 0 or
/// tau0 = tau1 = ∞ give the settled G.
double mean_exchange_factor(const ExchangeGeometry& g, double D, double tau0, double tau1);

/// The time since the injury [day] from which both sides' ρ are settled: mean_exchange_factor
/// returns exactly G for every tau0 ≥ it (0 without a face or for D = 0).
double settling_time(const ExchangeGeometry& g, double D);

}  // namespace citsim
