#include "citsim/numerics/grid.hpp"

#include <algorithm>
#include <cmath>

namespace citsim {

Grid make_uniform_grid(double depth, double dz_target) {
  const auto n = static_cast<std::size_t>(std::max(1.0, std::round(depth / dz_target)));
  Grid g;
  g.dz = depth / static_cast<double>(n);
  g.centre.resize(n);
  for (std::size_t i = 0; i < n; ++i) g.centre[i] = (static_cast<double>(i) + 0.5) * g.dz;
  return g;
}

std::vector<double> interval_weights(const Grid& grid, double top, double bottom) {
  std::vector<double> w(grid.size(), 0.0);
  double total = 0.0;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    w[i] = std::max(0.0, std::min(bottom, grid.bottom(i)) - std::max(top, grid.top(i)));
    total += w[i];
  }
  if (total > 0.0)
    for (double& x : w) x /= total;
  return w;
}

}  // namespace citsim
