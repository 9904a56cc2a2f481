// Transport on a 2D/3D field (docs/model.md §4): the column operator of transport.hpp along depth
// (no flux at top and bottom, fibroblasts relative to their resting profile), and the same
// backward-Euler diffusion with upwind chemotaxis along x (and y) with periodic sides, applied
// one direction after the other (locally one-dimensional splitting).
//
// Each directional sweep is an M-matrix with unit column sums, so every species stays ≥ 0 and
// its total is conserved. Lines are independent: solved in parallel, with the same result at
// any thread count. Species that move alike (mobility.hpp) share one elimination; without
// chemotaxis a lateral line's matrix is the same on every line, eliminated once for them all
// and kept while dt stays (the substitution repeats the elimination's operations on the
// right-hand side: the same numbers).
#pragma once

#include <array>
#include <vector>

#include "citsim/model/parameters.hpp"
#include "citsim/numerics/field_grid.hpp"
#include "citsim/numerics/transport.hpp"
#include "citsim/numerics/tridiagonal.hpp"

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
  /// One thread's share of the sweeps: its column operator (which keeps its own eliminations)
  /// and the scratch of a block of lateral lines (their cells, velocities and right-hand sides).
  struct Worker {
    ColumnTransport column;
    ColumnState slice;
    std::vector<double> lower, diag, upper, x, velocity;
    std::vector<std::size_t> cell;
    CyclicTridiagonalFactors line;  ///< a chemotactic species' system on this line
  };
  /// Alike species and, along x and along y, their lateral system when it is the same on every
  /// line (no chemotaxis), with the dt it was eliminated for.
  struct LateralGroup {
    MobilityGroup mobility;
    std::array<CyclicTridiagonalFactors, 2> shared;
    std::array<double, 2> dt{};
    std::array<bool, 2> kept{};
  };

  void lateral_sweep(FieldState& u, double dt, bool along_y);

  FieldGrid grid_;
  std::vector<LateralGroup> groups_;
  std::vector<Worker> workers_;  ///< one per thread
};

}  // namespace citsim
