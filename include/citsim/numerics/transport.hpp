// Transport in a depth column (docs/model.md §4): diffusion, fibroblast spreading toward the resting
// profile, and upwind chemotaxis up ∇T, advanced by backward Euler with the Thomas algorithm.
//
// Backward Euler with upwinded chemotaxis gives an M-matrix with unit column sums: every species
// stays ≥ 0 and its column total is conserved exactly (no flux through top and bottom). Species
// that move alike share one elimination; one without chemotaxis is kept while dt stays the same
// (the substitution repeats the elimination's operations on the right-hand side: same numbers).
// All species are substituted side by side, their chains of divisions overlapping.
#pragma once

#include <array>
#include <vector>

#include "citsim/model/parameters.hpp"
#include "citsim/model/species.hpp"
#include "citsim/numerics/grid.hpp"
#include "citsim/numerics/mobility.hpp"
#include "citsim/numerics/transport_operator.hpp"
#include "citsim/numerics/tridiagonal.hpp"

namespace citsim {

class ColumnTransport final : public TransportOperator {
 public:
  /// `F_rest` holds each cell's resting fibroblast density.
  ColumnTransport(const Grid& grid, const Parameters& p, std::vector<double> F_rest);

  /// Advance `u` by dt [day] with transport only.
  void step(ColumnState& u, double dt) override;

  /// Diffusivity used for species s [mm²/day] (0 for the immobile ones).
  double diffusivity(int s) const { return D_[static_cast<std::size_t>(s)]; }

  /// Matrices eliminated so far: one per group of alike species per step, less those kept.
  std::size_t eliminations() const { return eliminations_; }

 private:
  /// Alike species (mobility.hpp) and their matrix eliminated. Without chemotaxis it depends on
  /// dt only, and is kept for the next step of the same dt.
  struct Group {
    MobilityGroup mobility;
    TridiagonalFactors factors;
    double dt = 0.0;
    bool kept = false;
  };

  Grid grid_;
  std::array<double, kSpeciesCount> D_{};
  std::vector<double> F_rest_;
  std::vector<Group> groups_;
  // The right-hand sides' columns: every mobile species, group after group, and its group.
  std::vector<int> column_species_;
  std::vector<std::size_t> column_group_;
  bool chemotaxis_ = false;
  std::size_t eliminations_ = 0;
  std::vector<double> lower_, diag_, upper_, rhs_, velocity_;
};

}  // namespace citsim
