#include "citsim/numerics/closure_shell_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "citsim/numerics/closure_shell_transport.hpp"
#include "citsim/numerics/split_step.hpp"

namespace citsim {
namespace {

ColumnState mean_of(const ColumnState& points, const std::vector<ShellGeometry>& geometry) {
  ColumnState m(geometry.size());
  const std::size_t n = geometry.empty() ? 0 : geometry[0].area.size();
  for (std::size_t i = 0; i < m.size(); ++i) {
    SpeciesVector x = SpeciesVector::Zero();
    // A compartment without area is ignored, whatever it holds.
    for (std::size_t k = 0; k < n; ++k)
      if (geometry[i].area[k] > 0.0) x += geometry[i].area[k] * points[n * i + k];
    m[i] = x;
  }
  return m;
}

/// Hands the observer the lateral mean of the closure's state.
class MeanObserver final : public ColumnObserver {
 public:
  MeanObserver(ColumnObserver& inner, const ShellClosureState& state) : inner_(inner), state_(state) {}
  void record(double t, const ColumnState& u) override { inner_.record(t, mean_of(u, state_.geometry)); }
  void before_session(std::size_t k, double t, const ColumnState& u) override {
    inner_.before_session(k, t, mean_of(u, state_.geometry));
  }
  void progress(double t) override { inner_.progress(t); }

 private:
  ColumnObserver& inner_;
  const ShellClosureState& state_;  // the compartments change at sessions
};

}  // namespace

ShellClosureState resting_shell_closure(const ColumnModel& column, int shells) {
  if (shells < 1) throw std::invalid_argument(fmt::format("closure: {} shells, needs >= 1", shells));
  const auto m = static_cast<std::size_t>(shells) + 1;
  ShellGeometry rest;
  rest.area.assign(m, 0.0);
  rest.area[0] = 1.0;
  rest.edge.assign(m + 1, 1.0);
  rest.edge[0] = 0.0;
  rest.face.assign(m - 1, ExchangeGeometry{});
  rest.interface.assign(m - 1, 0.0);
  rest.coupling.assign(m - 1, 0.0);
  rest.boundary.assign(m - 1, 0.0);
  ShellClosureState st;
  for (const SpeciesVector& x : resting_column(column))
    for (std::size_t k = 0; k < m; ++k) st.points.push_back(x);
  st.geometry.assign(column.grid.size(), rest);
  return st;
}

ColumnState lateral_mean(const ShellClosureState& st) { return mean_of(st.points, st.geometry); }

SimulationStats simulate_shell_closure(const ShellClosureModel& model, const StepControl& c, double t_start,
                                       std::span<const double> record_times, ShellClosureState& state,
                                       ColumnObserver& observer) {
  const ColumnModel& col = model.column;
  const std::size_t nz = col.grid.size();
  const auto m = static_cast<std::size_t>(model.shells) + 1;
  if (model.shells < 1) throw std::invalid_argument(fmt::format("closure: {} shells, needs >= 1", model.shells));
  if (model.distances.size() != col.sessions.size())
    throw std::invalid_argument(fmt::format("closure: {} distance distributions for {} sessions",
                                            model.distances.size(), col.sessions.size()));
  if (state.points.size() != m * nz || state.geometry.size() != nz)
    throw std::invalid_argument("closure: the state does not match the column and the shells");

  // The points the kinetics see: every site K + 1 times (core, shells).
  ColumnModel points = col;
  points.sites.clear();
  for (const Site& s : col.sites)
    for (std::size_t k = 0; k < m; ++k) points.sites.push_back(s);
  std::vector<double> F_rest(nz);
  for (std::size_t i = 0; i < nz; ++i) F_rest[i] = col.sites[i].rest.F_rest;
  ShellTransport transport(col.grid, col.params, model.shells, F_rest);
  transport.set_geometry(state.geometry, model.fresh_boundaries ? t_start - state.injured_at
                                                                 : std::numeric_limits<double>::infinity());

  SplitSpace space;
  space.transport = &transport;
  space.locate = [&col, m](std::size_t i) {
    const std::size_t k = i % m;
    return k == 0 ? fmt::format("core, z = {:.4g} mm", col.grid.centre[i / m])
                  : fmt::format("shell {}, z = {:.4g} mm", k, col.grid.centre[i / m]);
  };
  space.session_jump = [&](std::size_t k, ColumnState& u) {
    const SessionInjury& s = col.sessions[k];
    const ColumnState mean = mean_of(u, state.geometry);
    // The shells are cut around the session's widest core: the same bands of distance at every
    // depth, so depth transport links each shell to itself and the tapering tip changes only
    // the first shell's inner edge.
    double widest = 0.0;
    for (const InjuryFractions& f : s.cells) widest = std::max(widest, std::clamp(f.injured, 0.0, 1.0));
    for (std::size_t i = 0; i < nz; ++i) {
      const InjuryFractions f = s.cells[i];
      const double a = std::clamp(f.injured, 0.0, 1.0);
      state.geometry[i] = shell_geometry(model.distances[k], a, model.shells, widest);
      for (std::size_t j = 0; j < m; ++j) u[m * i + j] = mean[i];
      if (a > 0.0) {
        // The injured zone at its local fractions: all of it injured, φ_ch/φ of it channel.
        const InjuryFractions local{std::min(1.0, f.channel / f.injured), 1.0};
        apply_injury(u[m * i], local, col.sites[i].v, s.session, col.params, col.patient.anticoagulant);
      }
    }
    state.injured_at = s.session.time;
    transport.set_geometry(state.geometry, model.fresh_boundaries ? 0.0 : std::numeric_limits<double>::infinity());
  };

  space.carries_matter = [&state, m](std::size_t p) { return state.geometry[p / m].area[p % m] > 0.0; };
  if (model.group_rel > 0.0)
    space.kinetics_groups = [&, rel = model.group_rel, abs = model.group_abs](const ColumnState& u,
                                                                            std::vector<std::size_t>& lead,
                                                                            std::vector<double>& weight) {
      // Within a cell, a compartment joins the group of the one before it when it agrees with
      // the group's first in every species (not with its neighbour: no drift along the chain).
      auto agree = [&](const SpeciesVector& a, const SpeciesVector& b) {
        for (int s = 0; s < kSpeciesCount; ++s)
          if (std::abs(a[s] - b[s]) > abs + rel * std::max(std::abs(a[s]), std::abs(b[s]))) return false;
        return true;
      };
      for (std::size_t i = 0; i < nz; ++i) {
        const std::vector<double>& area = state.geometry[i].area;
        std::size_t first = m * i;
        for (std::size_t k = 0; k < m; ++k) {
          const std::size_t p = m * i + k;
          if (k > 0 && agree(u[p], u[first])) {
            lead[p] = first;
          } else {
            lead[p] = p;
            first = p;
          }
        }
        // Shares by area (equal ones for a group without area: its members carry no matter).
        for (std::size_t k = 0; k < m;) {
          const std::size_t p = m * i + k;
          std::size_t end = k + 1;
          while (end < m && lead[m * i + end] == p) ++end;
          double total = 0.0;
          for (std::size_t j = k; j < end; ++j) total += area[j];
          for (std::size_t j = k; j < end; ++j)
            weight[m * i + j] = total > 0.0 ? area[j] / total : 1.0 / static_cast<double>(end - k);
          k = end;
        }
      }
    };

  MeanObserver mean_observer(observer, state);
  return simulate_split(points, space, c, t_start, record_times, state.points, mean_observer);
}

}  // namespace citsim
