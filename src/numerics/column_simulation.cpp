#include "citsim/numerics/column_simulation.hpp"

#include <fmt/format.h>

#include "citsim/numerics/split_step.hpp"

namespace citsim {

ColumnState resting_column(const ColumnModel& model) {
  ColumnState u(model.sites.size());
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = resting_state(model.sites[i], model.params);
  return u;
}

SimulationStats simulate_column(const ColumnModel& m, const StepControl& c, double t_start,
                                std::span<const double> record_times, ColumnState& u,
                                ColumnObserver& observer) {
  std::vector<double> F_rest(m.sites.size());
  for (std::size_t i = 0; i < F_rest.size(); ++i) F_rest[i] = m.sites[i].rest.F_rest;
  ColumnTransport transport(m.grid, m.params, F_rest);
  SplitSpace space;
  space.transport = m.transport ? &transport : nullptr;
  space.locate = [&m](std::size_t i) { return fmt::format("z = {:.4g} mm", m.grid.centre[i]); };
  return simulate_split(m, space, c, t_start, record_times, u, observer);
}

}  // namespace citsim
