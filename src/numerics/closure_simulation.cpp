#include "citsim/numerics/closure_simulation.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "citsim/numerics/closure_transport.hpp"
#include "citsim/numerics/split_step.hpp"

namespace citsim {
namespace {

ColumnState mean_of(const ColumnState& points, const std::vector<double>& core_area) {
  ColumnState m(core_area.size());
  for (std::size_t i = 0; i < m.size(); ++i) {
    const double a = core_area[i];
    // A compartment without area is ignored, whatever it holds.
    m[i] = a <= 0.0   ? points[2 * i + 1]
           : a >= 1.0 ? points[2 * i]
                      : SpeciesVector(a * points[2 * i] + (1.0 - a) * points[2 * i + 1]);
  }
  return m;
}

/// Hands the observer the lateral mean of the closure's state.
class MeanObserver final : public ColumnObserver {
 public:
  MeanObserver(ColumnObserver& inner, const ClosureState& state) : inner_(inner), state_(state) {}
  void record(double t, const ColumnState& u) override { inner_.record(t, mean(u)); }
  void before_session(std::size_t k, double t, const ColumnState& u) override {
    inner_.before_session(k, t, mean(u));
  }
  void progress(double t) override { inner_.progress(t); }

 private:
  ColumnState mean(const ColumnState& u) const { return mean_of(u, state_.core_area); }
  ColumnObserver& inner_;
  const ClosureState& state_;  // the areas change at sessions
};

}  // namespace

ClosureState resting_closure(const ColumnModel& column) {
  const ColumnState rest = resting_column(column);
  ClosureState st;
  for (const SpeciesVector& x : rest) {
    st.points.push_back(x);
    st.points.push_back(x);
  }
  st.core_area.assign(rest.size(), 0.0);
  st.geometry.assign(rest.size(), ExchangeGeometry{});
  return st;
}

ColumnState lateral_mean(const ClosureState& st) { return mean_of(st.points, st.core_area); }

SimulationStats simulate_closure(const ClosureModel& model, const StepControl& c, double t_start,
                                 std::span<const double> record_times, ClosureState& state,
                                 ColumnObserver& observer) {
  const ColumnModel& col = model.column;
  const std::size_t nz = col.grid.size();
  if (model.lattice.size() != col.sessions.size())
    throw std::invalid_argument(fmt::format("closure: {} channel lattices for {} sessions", model.lattice.size(),
                                            col.sessions.size()));
  if (state.points.size() != 2 * nz || state.core_area.size() != nz || state.geometry.size() != nz)
    throw std::invalid_argument("closure: the state does not match the column");

  // The points the kinetics see: every site twice (core, surround).
  ColumnModel points = col;
  points.sites.clear();
  for (const Site& s : col.sites) {
    points.sites.push_back(s);
    points.sites.push_back(s);
  }
  std::vector<double> F_rest(nz);
  for (std::size_t i = 0; i < nz; ++i) F_rest[i] = col.sites[i].rest.F_rest;
  ClosureTransport transport(col.grid, col.params, F_rest);
  transport.set_geometry(state.core_area, state.geometry, t_start - state.injured_at);

  SplitSpace space;
  space.transport = &transport;
  space.locate = [&col](std::size_t i) {
    return fmt::format("{}, z = {:.4g} mm", i % 2 == 0 ? "core" : "surround", col.grid.centre[i / 2]);
  };
  space.session_jump = [&](std::size_t k, ColumnState& u) {
    const SessionInjury& s = col.sessions[k];
    const ColumnState mean = mean_of(u, state.core_area);
    for (std::size_t i = 0; i < nz; ++i) {
      const InjuryFractions f = s.cells[i];
      const double a = std::clamp(f.injured, 0.0, 1.0);
      state.core_area[i] = a;
      state.geometry[i] = exchange_geometry(model.lattice[k], a);
      u[2 * i] = mean[i];
      u[2 * i + 1] = mean[i];
      if (a > 0.0) {
        // The injured zone at its local fractions: all of it injured, φ_ch/φ of it channel.
        const InjuryFractions local{std::min(1.0, f.channel / f.injured), 1.0};
        apply_injury(u[2 * i], local, col.sites[i].v, s.session, col.params, col.patient.anticoagulant);
      }
    }
    state.injured_at = s.session.time;
    transport.set_geometry(state.core_area, state.geometry, 0.0);
  };

  MeanObserver mean_observer(observer, state);
  const SimulationStats stats = simulate_split(points, space, c, t_start, record_times, state.points, mean_observer);
  return stats;
}

}  // namespace citsim
