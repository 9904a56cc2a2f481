// The 2D/3D grid (field_grid.hpp): widths covered exactly, depth grid of the column, cell order
// with depth fastest, and too few periodic cells refused.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "citsim/numerics/field_grid.hpp"

using namespace citsim;

TEST_CASE("field grid: widths exact, depth as the column, depth fastest", "[field_grid]") {
  const FieldGrid g2 = make_field_grid(4.0, 0.0, 0.03, 2.9, 0.025);
  CHECK(g2.nx == 133);
  CHECK(g2.ny == 1);
  CHECK(g2.width_x() == Approx(4.0).epsilon(1e-14));
  CHECK(g2.nz() == make_uniform_grid(2.9, 0.025).size());
  CHECK(g2.cells() == 133 * g2.nz());
  const FieldGrid g3 = make_field_grid(2.0, 1.0, 0.1, 1.0, 0.1);
  CHECK(g3.nx == 20);
  CHECK(g3.ny == 10);
  CHECK(g3.index(0, 0, 1) == 1);
  CHECK(g3.index(1, 0, 0) == g3.nz());
  CHECK(g3.index(0, 1, 0) == g3.nx * g3.nz());
  CHECK(g3.index(19, 9, 9) == g3.cells() - 1);
  CHECK(g3.x_centre(0) == Approx(0.05));
  CHECK(g3.y_centre(9) == Approx(0.95));
}

TEST_CASE("field grid: fewer than 3 periodic cells is refused", "[field_grid]") {
  CHECK_THROWS_AS(make_field_grid(0.2, 0.0, 0.1, 1.0, 0.1), std::invalid_argument);
  CHECK_THROWS_AS(make_field_grid(1.0, 0.2, 0.1, 1.0, 0.1), std::invalid_argument);
  CHECK_NOTHROW(make_field_grid(0.3, 0.3, 0.1, 1.0, 0.1));
}
