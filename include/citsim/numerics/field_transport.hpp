// Transport on a 2D/3D field (docs/model.md §4): the column operator of transport.hpp along depth
// (no flux at top and bottom, fibroblasts relative to their resting profile), and the same
// backward-Euler diffusion with upwind chemotaxis along x (and y) with periodic sides, applied
// one direction after the other (locally one-dimensional splitting).
//
// Each directional sweep is an M-matrix with unit column sums, so every species stays ≥ 0 and
// its total is conserved. Lines are independent: solved in parallel, with the same result at
// any thread count.
#pragma once

#include <array>
#include <vector>

#include "citsim/model/parameters.hpp"
#include "citsim/numerics/field_grid.hpp"
#include "citsim/numerics/transport.hpp"

namespace citsim {

/// A field's state, cell by cell in FieldGrid order.
using FieldState = ColumnState;

class FieldTransport final : public TransportOperator {
 public:
  /// `F_rest` holds the resting fibroblast density of each depth cell (laterally uniform).
  FieldTransport(const FieldGrid& grid, const Parameters& p, std::vector<double> F_rest);

  /// Advance `u` by dt [day] with transport only: depth, then x, then y sweeps.
  void step(FieldState& u, double dt) override;

 private:
  void lateral_sweep(FieldState& u, double dt, bool along_y);

  FieldGrid grid_;
  Parameters params_;
  std::vector<double> F_rest_;
  std::array<double, kSpeciesCount> D_{};
  std::array<double, kSpeciesCount> chi_{};
};

}  // namespace citsim
