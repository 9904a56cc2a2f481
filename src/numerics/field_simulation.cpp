#include "citsim/numerics/field_simulation.hpp"

#include <fmt/format.h>

#include "citsim/numerics/split_step.hpp"

namespace citsim {
namespace {

std::string where(const FieldGrid& g, std::size_t i) {
  const std::size_t iz = i % g.nz(), col = i / g.nz();
  const std::size_t ix = col % g.nx, iy = col / g.nx;
  return g.ny > 1 ? fmt::format("x = {:.4g} mm, y = {:.4g} mm, z = {:.4g} mm", g.x_centre(ix), g.y_centre(iy),
                                g.depth.centre[iz])
                  : fmt::format("x = {:.4g} mm, z = {:.4g} mm", g.x_centre(ix), g.depth.centre[iz]);
}

}  // namespace

SimulationStats simulate_field(const FieldModel& fm, const StepControl& c, double t_start,
                               std::span<const double> record_times, FieldState& u,
                               ColumnObserver& observer) {
  const ColumnModel& m = fm.cells;
  const std::size_t nz = fm.field.nz();
  std::vector<double> F_rest(nz);
  for (std::size_t i = 0; i < nz; ++i) F_rest[i] = m.sites[i].rest.F_rest;
  FieldTransport transport(fm.field, m.params, F_rest);
  SplitSpace space;
  space.transport = &transport;
  space.locate = [&fm](std::size_t i) { return where(fm.field, i); };
  return simulate_split(m, space, c, t_start, record_times, u, observer);
}

}  // namespace citsim
