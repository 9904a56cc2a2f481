// Distance-resolved geometry of the 1D closure: the core (the injured zones, area fraction a) and
// K shells of the surround, cut by the distance r to the nearest channel centre (or slit centre
// line). Everything comes from one distance distribution: the area fraction of tissue at each
// distance, a histogram of bins of width δ. Two sources feed it:
//   - a Poisson pattern (a real session; what 1D runs use), from its empty-space function:
//       cylinders at areal density n: F(r) = 1 − exp(−π·n·r²), f(r) = 2π·n·r·exp(−π·n·r²)
//       slits at line density λ:      F(x) = 1 − exp(−2λ·x),    f(x) = 2λ·exp(−2λ·x)
//   - the realised distances of a given set of channels on their periodic domain (the check
//     against explicit channels, which must see the very pattern the channels drew).
// By the coarea formula (|∇r| = 1) the density f(r) is the perimeter of the level set r per unit
// area: the interface between compartments that meet at r.
//
// The core is the fraction a nearest to a channel (r < r_c, F(r_c) = a: overlapping injured
// zones counted once). The surround is cut into K shells of equal area around the session's
// widest core a_max (the channel's full width, above the needle's tapering tip): the shells'
// edges are the same distances at every depth, so a shell is one band of r down the column and
// depth transport links it to itself; where the core narrows only the first shell's inner edge
// follows it. (Cut around each depth's own core, every band shifts with a(z), and depth
// transport between shifted bands mixes distances: an error first order in the shells' width
// that grows as the depth cells shrink, docs/model.md.) Neighbours k, k+1 meeting at r_b
// exchange at G_k·D·(c_k − c_k+1) per unit tissue volume, G_k = f(r_b)/(ρ⁺_k + ρ⁻_k+1), ρ the
// distance from each compartment's mean to the interface:
//   - a compartment with one interface (the core; the outermost shell) relaxes uniformly with a
//     pseudo-steady profile: for the core ρ = f(r_c)/a² ∫₀^r_c F²/f dr (r_c/4 for a disc, h/3
//     for a slab of half-width h), for the outer shell the same integral of (1 − F)² outside it
//     (the Krogh annulus's log profile);
//   - an inner shell, with interfaces on both sides, the distance from its centroid (area-weighted
//     mean r) to the interface: the two-point flux of finite volumes, which converges to the
//     radial diffusion equation as K grows.
// K = 1 is the two-compartment closure, core and one surround. On the distances of regular slits
// or of a Krogh cell its ρ's are the slab's and the Krogh annulus's (docs/model.md).
#pragma once

#include <vector>

#include "citsim/model/channel_pattern.hpp"
#include "citsim/numerics/closure_exchange.hpp"

namespace citsim {

/// The shape of the channels the closure's core stands for.
enum class ChannelShape {
  Slits,      ///< parallel slits, as the 2D cross-section draws them
  Cylinders,  ///< cylinders, as the 3D patch draws them (the needles' real shape)
};

/// One session's channels: their shape and density (slits per mm, or channels per mm²).
struct ChannelLattice {
  ChannelShape shape = ChannelShape::Cylinders;
  double density = 0.0;
};

/// Area fraction of tissue by distance to the nearest channel: weight[j] in [j·bin, (j+1)·bin).
struct DistanceHistogram {
  double bin = 0.0;            ///< δ [mm]
  std::vector<double> weight;  ///< sums to 1
};

/// The histograms' bin for `lattice`: 1/1000 of its spacing (1/λ, or 1/√n), a resolution far
/// below any shell's width for the K the closure uses.
double distance_bin(const ChannelLattice& lattice);

/// The empty-space distribution of a Poisson pattern of `lattice` (slits or cylinders), bins of
/// `bin` mm out to where less than 1e-14 of the area is left. Throws std::invalid_argument for a
/// density ≤ 0 or bin ≤ 0.
DistanceHistogram poisson_distances(const ChannelLattice& lattice, double bin);

/// The distribution of the distance to the nearest of `channels` (x only for slits; x, y for
/// cylinders) over a periodic domain width_x × width_y, sampled on a regular grid of step
/// `bin`/4. Throws std::invalid_argument without channels or for non-positive sizes.
DistanceHistogram realised_distances(const ChannelPattern& channels, ChannelShape shape, double width_x,
                                     double width_y, double bin);

/// A cell's compartments: core (index 0) then shells 1..K.
struct ShellGeometry {
  std::vector<double> area;       ///< K + 1 area fractions, summing to 1
  std::vector<double> interface;  ///< K: f(r_b) between k and k+1 [1/mm]
  std::vector<double> coupling;   ///< K: G_k = interface/(ρ⁺_k + ρ⁻_k+1) [1/mm²]
  std::vector<double> boundary;   ///< K: r_b [mm]
  std::vector<ExchangeGeometry> face;  ///< K: {f(r_b), ρ⁺_k, ρ⁻_k+1}, for mean_exchange_factor
  std::vector<double> edge;       ///< K + 2: F at the compartments' edges, 0 = edge[0] ≤ ... ≤ edge[K+1] = 1
};

/// Core of area fraction `core_area` and `shells` shells from `h`, cut at the equal-area quantiles
/// of the surround of `widest_core` (the session's widest core; its own if that is smaller):
/// the same distances at every depth of a column, with only the first shell's inner edge at
/// the local core. Without a core (a ≤ 0) the shells split all the tissue by distance and still
/// exchange with each other (the core's face has no coupling); a ≥ 1 puts all the area in the
/// core, no coupling; a widest core of 1 leaves the outer shells without area or coupling.
/// Throws std::invalid_argument for shells < 1 or an empty histogram.
ShellGeometry shell_geometry(const DistanceHistogram& h, double core_area, int shells, double widest_core);

/// The shells cut around this core alone: equal-area shells of its own surround.
ShellGeometry shell_geometry(const DistanceHistogram& h, double core_area, int shells);

}  // namespace citsim
