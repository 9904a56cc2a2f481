// Transport in a depth column (docs/model.md §4): diffusion, fibroblast spreading toward the resting
// profile, and upwind chemotaxis up ∇T, advanced by backward Euler with the Thomas algorithm.
//
// Backward Euler with upwinded chemotaxis gives an M-matrix with unit column sums: every species
// stays ≥ 0 and its column total is conserved exactly (no flux through top and bottom).
#pragma once

#include <array>
#include <vector>

#include "citsim/model/parameters.hpp"
#include "citsim/model/species.hpp"
#include "citsim/numerics/grid.hpp"
#include "citsim/numerics/mobility.hpp"
#include "citsim/numerics/transport_operator.hpp"

namespace citsim {

class ColumnTransport final : public TransportOperator {
 public:
  /// `F_rest` holds each cell's resting fibroblast density.
  ColumnTransport(const Grid& grid, const Parameters& p, std::vector<double> F_rest);

  /// Advance `u` by dt [day] with transport only.
  void step(ColumnState& u, double dt) override;

  /// Diffusivity used for species s [mm²/day] (0 for the immobile ones).
  double diffusivity(int s) const { return D_[static_cast<std::size_t>(s)]; }

 private:
  Grid grid_;
  std::array<double, kSpeciesCount> D_{};
  std::array<double, kSpeciesCount> chi_{};
  std::vector<double> F_rest_;
  std::vector<double> lower_, diag_, upper_, rhs_, scratch_, velocity_;
};

}  // namespace citsim
