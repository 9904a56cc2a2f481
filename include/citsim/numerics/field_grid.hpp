// The grid of a 2D cross-section (x–z) or a 3D patch (x–y–z): the depth grid of a column
// repeated over a periodic lateral lattice (docs/model.md §4). In 2D ny = 1.
//
// Cells are stored column by column, each column contiguous in depth:
// index = (iy·nx + ix)·nz + iz, so a column's cells form a ColumnState slice.
#pragma once

#include <cstddef>

#include "citsim/numerics/grid.hpp"

namespace citsim {

struct FieldGrid {
  Grid depth;             ///< the depth cells (shared by every column)
  std::size_t nx = 1, ny = 1;
  double dx = 0.0, dy = 0.0;  ///< lateral cell sizes [mm]

  std::size_t nz() const { return depth.size(); }
  std::size_t columns() const { return nx * ny; }
  std::size_t cells() const { return columns() * nz(); }
  std::size_t index(std::size_t ix, std::size_t iy, std::size_t iz) const {
    return (iy * nx + ix) * nz() + iz;
  }
  double width_x() const { return static_cast<double>(nx) * dx; }
  double width_y() const { return static_cast<double>(ny) * dy; }
  double x_centre(std::size_t ix) const { return (static_cast<double>(ix) + 0.5) * dx; }
  double y_centre(std::size_t iy) const { return (static_cast<double>(iy) + 0.5) * dy; }
};

/// A periodic line of fewer cells has no distinct left and right neighbours.
inline constexpr std::size_t kMinLateralCells = 3;

/// Lateral cells across `width` for a target size `dx_target` [mm]: width/dx rounded, at least 1.
std::size_t lateral_cell_count(double width, double dx_target);

/// A 2D (`width_y` = 0) or 3D grid: lateral cells of size close to `dx_target` covering the
/// widths exactly, depth cells as `make_uniform_grid`. Throws std::invalid_argument if a
/// periodic direction would have fewer than 3 cells.
FieldGrid make_field_grid(double width_x, double width_y, double dx_target, double depth,
                          double dz_target);

}  // namespace citsim
