// Explicit needle channels for the 2D and 3D levels (docs/model.md §2): centres drawn by a seeded
// Poisson process at new positions every session, and the channel and injured-zone fractions
// each grid cell gets from them.
//
// 2D: vertical slits at line density λ = ρ·π·r_inj(0)/200 per mm. A slit's half-width at depth
// z is r_inj(z)²/r_inj(0) for the injured zone and r(z)²/r_inj(0) for the channel: r_inj(0) at
// the surface as docs/model.md §2 says, and narrowing in the tip so that the expected covered
// fraction equals the 1D φ(z) and φ_ch(z) at every depth.
// 3D: cylinders of radius r_inj(z) (injured zone) and r(z) (channel) around centres of areal
// density ρ, whose covered area fraction is φ(z) and φ_ch(z) in expectation.
#pragma once

#include <cstdint>
#include <vector>

#include "citsim/model/injury.hpp"
#include "citsim/numerics/field_grid.hpp"

namespace citsim {

/// Channel centres of one session [mm]; `y` is empty in 2D.
struct ChannelPattern {
  std::vector<double> x, y;
  std::size_t size() const { return x.size(); }
};

/// Draw the centres of one session's channels over a periodic domain of `grid`'s widths.
/// The same (seed, session index) always gives the same centres.
ChannelPattern draw_channels(const ChannelInjury& injury, const FieldGrid& grid, std::uint64_t seed,
                             std::size_t session_index);

/// Channel and injured-zone fractions of every cell (FieldGrid order): the covered share of the
/// cell, with overlapping channels counted once and periodic sides.
std::vector<InjuryFractions> field_fractions(const ChannelInjury& injury, const ChannelPattern& pattern,
                                             const FieldGrid& grid);

}  // namespace citsim
