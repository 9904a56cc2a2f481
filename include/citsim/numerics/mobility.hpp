// How each species moves (docs/model.md §4): its diffusivity and chemotactic sensitivity, and
// which species move alike. Species with the same coefficients have the same backward-Euler
// matrix in every transport, so a transport eliminates it once for all of them (one
// right-hand side each).
#pragma once

#include <array>
#include <vector>

#include "citsim/model/parameters.hpp"
#include "citsim/model/species.hpp"

namespace citsim {

/// Each species' diffusivity and chemotactic sensitivity (docs/model.md §4); 0 for the immobile ones.
struct Mobility {
  std::array<double, kSpeciesCount> D{};
  std::array<double, kSpeciesCount> chi{};
};
Mobility mobility(const Parameters& p);

/// Mobile species whose transport matrices are the same: equal D, equal χ, and not F (whose
/// flux is relative to its resting profile, a matrix of its own).
struct MobilityGroup {
  double D = 0.0;
  double chi = 0.0;
  bool relative_to_rest = false;  ///< F: flux −D·F_rest,face·∇(F/F_rest)
  std::vector<int> species;       ///< in species order
};

/// Every species that moves (D or χ non-zero) in exactly one group, the groups in the order of
/// their first species.
std::vector<MobilityGroup> mobility_groups(const Mobility& m);

/// The most species in one group.
std::size_t largest_group(const std::vector<MobilityGroup>& groups);

}  // namespace citsim
