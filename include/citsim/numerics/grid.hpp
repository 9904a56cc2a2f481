// The depth grid of a column: uniform cells from the junction (z = 0) to the domain bottom.
#pragma once

#include <vector>

namespace citsim {

struct Grid {
  double dz = 0.0;             ///< cell size [mm]
  std::vector<double> centre;  ///< cell centres [mm]
  std::size_t size() const { return centre.size(); }
  double top(std::size_t i) const { return static_cast<double>(i) * dz; }
  double bottom(std::size_t i) const { return static_cast<double>(i + 1) * dz; }
};

/// Uniform cells of size close to `dz_target` covering [0, depth] exactly.
Grid make_uniform_grid(double depth, double dz_target);

/// Weights w_i that average a cell field over [top, bottom]: each cell by its overlap (sharp
/// interval). Sums to 1 unless the interval misses the grid.
std::vector<double> interval_weights(const Grid& grid, double top, double bottom);

}  // namespace citsim
