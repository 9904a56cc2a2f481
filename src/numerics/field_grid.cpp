#include "citsim/numerics/field_grid.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace citsim {
namespace {

std::size_t lateral_cells(double width, double dx_target, const char* axis) {
  const std::size_t n = lateral_cell_count(width, dx_target);
  if (n < kMinLateralCells)
    throw std::invalid_argument(fmt::format(
        "{} width {:g} mm with lateral cell size {:g} mm gives {} cells; at least 3 are needed",
        axis, width, dx_target, n));
  return n;
}

}  // namespace

std::size_t lateral_cell_count(double width, double dx_target) {
  return static_cast<std::size_t>(std::max(1.0, std::round(width / dx_target)));
}

FieldGrid make_field_grid(double width_x, double width_y, double dx_target, double depth,
                          double dz_target) {
  FieldGrid g;
  g.depth = make_uniform_grid(depth, dz_target);
  g.nx = lateral_cells(width_x, dx_target, "x");
  g.dx = width_x / static_cast<double>(g.nx);
  if (width_y > 0.0) {
    g.ny = lateral_cells(width_y, dx_target, "y");
    g.dy = width_y / static_cast<double>(g.ny);
  }
  return g;
}

}  // namespace citsim
