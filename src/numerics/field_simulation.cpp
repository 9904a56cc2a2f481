#include "citsim/numerics/field_simulation.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "citsim/errors.hpp"
#include "citsim/numerics/kinetics_stepper.hpp"

namespace citsim {
namespace {

/// Largest undershoot below zero treated as round-off and clipped, relative to the tolerance
/// (as in the column driver).
constexpr double kClipFactor = 1e3;

double split_step(const StepControl& c, double since_session) {
  return std::clamp(c.dt_rel * (since_session + c.dt_lag), c.dt_min, c.dt_max);
}

std::string where(const FieldModel& m, std::size_t i) {
  const FieldGrid& g = m.field;
  const std::size_t iz = i % g.nz(), col = i / g.nz();
  const std::size_t ix = col % g.nx, iy = col / g.nx;
  return g.ny > 1 ? fmt::format("x = {:.4g} mm, y = {:.4g} mm, z = {:.4g} mm", g.x_centre(ix), g.y_centre(iy),
                                g.depth.centre[iz])
                  : fmt::format("x = {:.4g} mm, z = {:.4g} mm", g.x_centre(ix), g.depth.centre[iz]);
}

void check_state(FieldState& u, const FieldModel& m, double t, double atol) {
  for (std::size_t i = 0; i < u.size(); ++i) {
    for (int s = 0; s < kSpeciesCount; ++s) {
      double& x = u[i][s];
      if (std::isfinite(x) && x >= 0.0) continue;
      if (std::isfinite(x) && x >= -kClipFactor * atol) {
        x = 0.0;
        continue;
      }
      throw NumericalError(fmt::format("numerical failure at t = {:.6g} day, level {}, {} (cell {}): species {} = {:.6g}",
                                       t, m.cells.level_name, where(m, i), i,
                                       kSpeciesInfo[static_cast<std::size_t>(s)].name, x));
    }
  }
}

}  // namespace

SimulationStats simulate_field(const FieldModel& fm, const StepControl& c, double t_start,
                               std::span<const double> record_times, FieldState& u,
                               ColumnObserver& observer) {
  const ColumnModel& m = fm.cells;
  SimulationStats stats;
  const std::size_t n = m.sites.size();
  const std::size_t nz = fm.field.nz();
  std::vector<double> F_rest(nz);
  for (std::size_t i = 0; i < nz; ++i) F_rest[i] = m.sites[i].rest.F_rest;
  FieldTransport transport(fm.field, m.params, F_rest);

  std::vector<SiteRates> rates(n);
  auto update_rates = [&](double t) {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i)
      rates[static_cast<std::size_t>(i)] =
          site_rates(m.sites[static_cast<std::size_t>(i)], m.params, m.patient, m.aging_drift, t);
  };
  update_rates(t_start);

  const int threads = std::max(1, omp_get_max_threads());
  std::vector<KineticsStepper> steppers;
  for (int k = 0; k < threads; ++k) steppers.emplace_back(KineticsTolerance{c.rtol, c.atol});
  std::vector<KineticsStepHistory> history(n, KineticsStepHistory{c.dt_min, 0.0});
  std::vector<std::int64_t> accepted(n, 0), rejected(n, 0);

  auto kinetics = [&](double t0, double t1) {
    std::string error;
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i) {
      const auto k = static_cast<std::size_t>(i);
      try {
        const KineticsWork w = steppers[static_cast<std::size_t>(omp_get_thread_num())].advance(
            u[k], rates[k], m.params, t0, t1, history[k]);
        accepted[k] += w.accepted;
        rejected[k] += w.rejected;
      } catch (const NumericalError& e) {
#pragma omp critical
        if (error.empty()) error = fmt::format("{} (level {}, {}, cell {})", e.what(), m.level_name, where(fm, k), k);
      }
    }
    if (!error.empty()) throw NumericalError(error);
  };

  double t = t_start;
  double last_session = -std::numeric_limits<double>::infinity();
  std::size_t next_session = 0;
  while (next_session < m.sessions.size() && m.sessions[next_session].session.time < t_start) ++next_session;

  for (const double t_record : record_times) {
    while (true) {
      const double t_session = next_session < m.sessions.size() ? m.sessions[next_session].session.time
                                                                : std::numeric_limits<double>::infinity();
      const double t_stop = std::min(t_record, t_session);
      while (t < t_stop) {
        double dt = split_step(c, t - last_session);
        const double left = t_stop - t;
        if (left <= dt) dt = left;
        else if (left < 2.0 * dt) dt = 0.5 * left;
        const double t_next = (dt == left) ? t_stop : t + dt;
        if (m.aging_drift) update_rates(0.5 * (t + t_next));
        transport.step(u, 0.5 * (t_next - t));
        kinetics(t, t_next);
        transport.step(u, 0.5 * (t_next - t));
        check_state(u, fm, t_next, c.atol);
        t = t_next;
        ++stats.split_steps;
        observer.progress(t);
      }
      if (t_session <= t_record) {
        const SessionInjury& s = m.sessions[next_session];
        observer.before_session(next_session, t, u);
        for (std::size_t i = 0; i < n; ++i)
          apply_injury(u[i], s.cells[i], m.sites[i].v, s.session, m.params, m.patient.anticoagulant);
        std::fill(history.begin(), history.end(), KineticsStepHistory{c.dt_min, 0.0});
        last_session = t;
        ++next_session;
        if (t_session < t_record) continue;
      }
      break;
    }
    observer.record(t, u);
  }
  for (std::size_t i = 0; i < n; ++i) {
    stats.kinetics_steps += accepted[i];
    stats.kinetics_rejected += rejected[i];
  }
  return stats;
}

}  // namespace citsim
