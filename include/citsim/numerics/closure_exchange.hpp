// Lateral exchange between the two compartments of the 1D core/surround closure
// (closure_simulation.hpp): a core holding the injured zones of the channels (area fraction a)
// and the uninjured surround (1 − a), in the channels' periodic geometry.
//
// A species with diffusivity D crosses the core's boundary (area S per unit tissue volume) at
// the rate S·D·(c_core − c_surround)/(ρ_core + ρ_surround) per unit volume, ρ the distance from
// each compartment's mean to the boundary value. Long after the injury ρ is that of
// pseudo-steady profiles (each compartment relaxing uniformly): a slab of half-width h has
// ρ = h/3, a disc of radius r_c has ρ = r_c/4, a Krogh annulus r_c < r < R (no flux at R) the
// integral of its log profile. Just after the injury, when the new core's edge is a sharp
// step, only a layer √(πDτ) deep on either side has felt it (the exact flux into a
// half-space): ρ = min(√(πDτ), ρ_pseudo-steady) on each side, τ the time since the injury.
// docs/model.md ("When 1D is enough") writes out the derivation. Pseudo-steady:
//   slits at line density λ (2D cross-section):    S = 2λ,       G = S/(ρ_c + ρ_s) = 12·λ²
//   cylinders at areal density n (3D, real skin):  S = 2·r_c/R², G = 4·(1 − a)² / (R²·(a − 1 − ln a)),
//                                                  R = 1/√(π·n) the Krogh radius, r_c = R·√a.
#pragma once

namespace citsim {

/// The shape of the channels the closure's core stands for.
enum class ChannelShape {
  Slits,      ///< parallel slits, as the 2D cross-section draws them
  Cylinders,  ///< cylinders, as the 3D patch draws them (the needles' real shape)
};

/// One session's channel geometry: the shape and its density (slits per mm, or channels per mm²).
struct ChannelLattice {
  ChannelShape shape = ChannelShape::Cylinders;
  double density = 0.0;
};

/// The boundary between core and surround in one depth cell.
struct ExchangeGeometry {
  double interface = 0.0;  ///< S: core boundary per unit tissue volume [1/mm]
  double core = 0.0;       ///< ρ_core: pseudo-steady distance of the core's mean from its boundary [mm]
  double surround = 0.0;   ///< ρ_surround, the same for the surround [mm]
};

/// The geometry of a core of area fraction `core_area` in `lattice`; all zero without channels
/// or without a core (a ≤ 0 or a ≥ 1). Throws std::invalid_argument for a negative density.
ExchangeGeometry exchange_geometry(const ChannelLattice& lattice, double core_area);

/// Pseudo-steady exchange factor G = S/(ρ_core + ρ_surround) [1/mm²]: the rate per unit
/// volume is G·D·Δc. 0 without a boundary.
double exchange_factor(const ExchangeGeometry& g);
double exchange_factor(const ChannelLattice& lattice, double core_area);

/// G of a species with diffusivity D [mm²/day] averaged over τ ∈ [tau0, tau1] days since the
/// injury, with each side's ρ = min(√(πDτ), pseudo-steady ρ) (exact integral). D = 0 or
/// tau0 = tau1 = ∞ give the pseudo-steady G.
double mean_exchange_factor(const ExchangeGeometry& g, double D, double tau0, double tau1);

}  // namespace citsim
