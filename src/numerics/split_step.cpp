#include "citsim/numerics/split_step.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "citsim/errors.hpp"
#include "citsim/numerics/kinetics_stepper.hpp"
#include "citsim/numerics/mobility.hpp"

namespace citsim {
namespace {

/// Largest undershoot below zero we treat as round-off and clip, relative to the tolerance.
constexpr double kClipFactor = 1e3;

/// Step size after a session: small while the inflammatory wave rises, large in remodeling.
double split_step(const StepControl& c, double since_session) {
  const double dt = c.dt_rel * (since_session + c.dt_lag);
  return std::clamp(dt, c.dt_min, c.dt_max);
}

/// NaN, Inf, or a negative beyond round-off stops the run with where and what.
void check_state(ColumnState& u, const ColumnModel& m, const SplitSpace& space, double t, double atol) {
  for (std::size_t i = 0; i < u.size(); ++i) {
    for (int s = 0; s < kSpeciesCount; ++s) {
      double& x = u[i][s];
      if (std::isfinite(x) && x >= 0.0) continue;
      if (std::isfinite(x) && x >= -kClipFactor * atol) {
        x = 0.0;
        continue;
      }
      throw NumericalError(fmt::format("numerical failure at t = {:.6g} day, level {}, {} (cell {}): species {} = {:.6g}",
                                       t, m.level_name, space.locate(i), i,
                                       kSpeciesInfo[static_cast<std::size_t>(s)].name, x));
    }
  }
}

/// The rebalanced splitting's limit on |c|·Δt, relative to u: at 2 the transport's starting
/// state u − c·Δt/2 is still non-negative.
constexpr double kBalanceLimit = 2.0;

/// Threads sharing the points (StepControl::threads): small columns are not worth waking a
/// thread team for every split step.
int thread_count(const StepControl& c, std::size_t n) {
  constexpr std::size_t kMinPointsPerThread = 8;
  const std::size_t wanted = c.threads > 0                   ? static_cast<std::size_t>(c.threads)
                             : n >= kParallelColumnPoints ? static_cast<std::size_t>(std::max(1, omp_get_max_threads()))
                                                          : 1;
  return static_cast<int>(std::clamp<std::size_t>(n / kMinPointsPerThread, 1, wanted));
}

}  // namespace

SimulationStats simulate_split(const ColumnModel& m, const SplitSpace& space, const StepControl& c, double t_start,
                               std::span<const double> record_times, ColumnState& u, ColumnObserver& observer) {
  SimulationStats stats;
  const std::size_t n = m.sites.size();
  const int threads = thread_count(c, n);
  // Large fields hand out more points at a time (less scheduling); the result ignores it.
  [[maybe_unused]] const int chunk = n >= kParallelColumnPoints ? 64 : 4;  // the OpenMP schedule's

  std::vector<SiteRates> rates(n);
  auto update_rates = [&](double t) {
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i)
      rates[static_cast<std::size_t>(i)] =
          site_rates(m.sites[static_cast<std::size_t>(i)], m.params, m.patient, m.aging_drift, t);
  };
  update_rates(t_start);

  std::vector<KineticsStepper> steppers;
  for (int k = 0; k < threads; ++k) steppers.emplace_back(KineticsTolerance{c.rtol, c.atol}, c.kinetics_method);
  // Per point, so results ignore the thread count.
  std::vector<KineticsStepHistory> history(n, KineticsStepHistory{c.dt_min, 0.0});
  std::vector<std::int64_t> accepted_point(n, 0), rejected_point(n, 0);

  // Groups of points that share their kinetics (SplitSpace::kinetics_groups); without them
  // every point leads its own.
  std::vector<std::size_t> lead(n);
  std::vector<double> weight(n, 1.0);
  for (std::size_t i = 0; i < n; ++i) lead[i] = i;
  std::vector<char> grouped(n, 0);  // a lead with members
  ColumnState delta(n, SpeciesVector::Zero());
  std::vector<KineticsStepHistory> history_before(n), lead_history(n);

  // Rebalanced splitting: each point's balancing term (zero for the species that do not move),
  // a group's weighted mean of its members' terms, and the transport's increment over a step.
  const bool rebalanced = c.splitting == Splitting::Rebalanced && space.transport != nullptr;
  SpeciesVector moves = SpeciesVector::Zero();
  {
    const Mobility mob = mobility(m.params);
    for (int s = 0; s < kSpeciesCount; ++s)
      if (mob.D[static_cast<std::size_t>(s)] != 0.0 || mob.chi[static_cast<std::size_t>(s)] != 0.0) moves[s] = 1.0;
  }
  ColumnState balance, group_balance, change;
  if (rebalanced) {
    balance.assign(n, SpeciesVector::Zero());
    group_balance.assign(n, SpeciesVector::Zero());
    change.assign(n, SpeciesVector::Zero());
  }
  // Point-wise work on large fields shares the kinetics' threads (the same numbers either way).
  auto for_each_index = [&](auto work) {
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i) work(static_cast<std::size_t>(i));
  };
  auto forcing = [&](std::size_t k) -> const SpeciesVector* {
    if (!rebalanced) return nullptr;
    return grouped[k] ? &group_balance[k] : &balance[k];
  };

  // Runs `step(k, stepper)` on every point `selected(k)` picks, in parallel, counting its work;
  // the first failure, named by its point, is thrown once every point has run.
  auto for_each_point = [&](auto selected, auto step) {
    std::string error;
#pragma omp parallel for schedule(dynamic, chunk) num_threads(threads) if (threads > 1)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i) {
      const auto k = static_cast<std::size_t>(i);
      if (!selected(k)) continue;
      try {
        const KineticsWork work = step(k, steppers[static_cast<std::size_t>(omp_get_thread_num())]);
        accepted_point[k] += work.accepted;
        rejected_point[k] += work.rejected;
      } catch (const NumericalError& e) {
#pragma omp critical
        if (error.empty())
          error = fmt::format("{} (level {}, {}, cell {})", e.what(), m.level_name, space.locate(k), k);
      }
    }
    if (!error.empty()) throw NumericalError(error);
  };

  auto kinetics = [&](double t0, double t1) {
    if (space.kinetics_groups) {
      space.kinetics_groups(u, lead, weight);
      std::fill(grouped.begin(), grouped.end(), 0);
      for (std::size_t i = 0; i < n; ++i)
        if (lead[i] != i) grouped[lead[i]] = 1;
      for (std::size_t i = 0; i < n; ++i)
        if (grouped[i]) delta[i].setZero();
      for (std::size_t i = 0; i < n; ++i)  // the groups' means, summed in point order
        if (grouped[lead[i]]) delta[lead[i]] += weight[i] * u[i];
      if (rebalanced) {
        for (std::size_t i = 0; i < n; ++i)
          if (grouped[i]) group_balance[i].setZero();
        for (std::size_t i = 0; i < n; ++i)
          if (grouped[lead[i]]) group_balance[lead[i]] += weight[i] * balance[i];
      }
      for (std::size_t i = 0; i < n; ++i)
        if (grouped[i]) history_before[i] = history[i];
    }
    for_each_point([&](std::size_t k) { return lead[k] == k; },
                   [&](std::size_t k, KineticsStepper& stepper) {
                     if (!grouped[k]) return stepper.advance(u[k], rates[k], m.params, t0, t1, history[k], forcing(k));
                     SpeciesVector x = delta[k];  // the group's mean
                     const KineticsWork work = stepper.advance(x, rates[k], m.params, t0, t1, history[k], forcing(k));
                     delta[k] = x - delta[k];
                     return work;
                   });
    if (!space.kinetics_groups) return;
    // A member's increment: its group's, and its own balancing term's difference from the
    // group's, which enters the kinetics as a constant.
    auto member_increment = [&](std::size_t i) -> SpeciesVector {
      if (!rebalanced) return delta[lead[i]];
      return delta[lead[i]] + (t1 - t0) * (balance[i] - group_balance[lead[i]]);
    };
    // A member the mean's increment would take below zero beyond round-off (a steep decay
    // meeting the spread) has its group's kinetics taken point by point, from the step's start.
    for (std::size_t i = 0; i < n; ++i)
      if (grouped[lead[i]] && ((u[i] + member_increment(i)).array() < -kClipFactor * c.atol).any()) grouped[lead[i]] = 2;
    for (std::size_t i = 0; i < n; ++i)
      if (grouped[lead[i]] == 2) lead_history[i] = history_before[lead[i]];
    for_each_point([&](std::size_t k) { return grouped[lead[k]] == 2; },
                   [&](std::size_t k, KineticsStepper& stepper) {
                     return stepper.advance(u[k], rates[k], m.params, t0, t1, lead_history[k],
                                            rebalanced ? &balance[k] : nullptr);
                   });
    for (std::size_t i = 0; i < n; ++i) {
      if (grouped[lead[i]] == 1) u[i] += member_increment(i);
      else if (grouped[lead[i]] == 2 && lead[i] == i) history[i] = lead_history[i];
    }
  };

  auto jump = [&](std::size_t k) {
    if (space.session_jump) {
      space.session_jump(k, u);
      return;
    }
    const SessionInjury& s = m.sessions[k];
    for (std::size_t i = 0; i < n; ++i)
      apply_injury(u[i], s.cells[i], m.sites[i].v, s.session, m.params, m.patient.anticoagulant);
  };

  // Records between step ends are interpolated linearly from the step's two ends (a convex
  // combination: non-negative, and conserving what the steps conserve); with
  // `stop_at_records` every record ends a step instead. Sessions and the last record always do.
  const std::size_t records = record_times.size();
  std::size_t next_record = 0;
  ColumnState u_step_start, u_record;
  auto record_here = [&](double t_now) {  // the records at t_now itself, from the state as it is
    while (next_record < records && record_times[next_record] <= t_now)
      observer.record(record_times[next_record++], u);
  };

  double t = t_start;
  double last_session = -std::numeric_limits<double>::infinity();
  std::size_t next_session = 0;
  while (next_session < m.sessions.size() && m.sessions[next_session].session.time < t_start) ++next_session;
  const double t_end = records > 0 ? record_times.back() : t_start;

  while (true) {
    // A session due now lands before the records of the same time.
    while (next_session < m.sessions.size() && m.sessions[next_session].session.time <= t) {
      observer.before_session(next_session, t, u);
      jump(next_session);
      std::fill(history.begin(), history.end(), KineticsStepHistory{c.dt_min, 0.0});
      if (rebalanced) std::fill(balance.begin(), balance.end(), SpeciesVector::Zero());
      last_session = t;
      ++next_session;
    }
    record_here(t);
    if (next_record == records) break;
    const double t_session = next_session < m.sessions.size() ? m.sessions[next_session].session.time
                                                              : std::numeric_limits<double>::infinity();
    double t_stop = std::min(t_end, t_session);
    if (c.stop_at_records) t_stop = std::min(t_stop, record_times[next_record]);
    while (t < t_stop) {
      double dt = split_step(c, t - last_session);
      const double left = t_stop - t;
      if (left <= dt) dt = left;
      else if (left < 2.0 * dt) dt = 0.5 * left;  // no sliver steps before a stop
      const double t_next = (dt == left) ? t_stop : t + dt;
      const bool records_inside = record_times[next_record] < t_next;
      if (records_inside) u_step_start = u;
      if (m.aging_drift) update_rates(0.5 * (t + t_next));
      // The half steps are dt/2 itself, not (t_next − t)/2: the same dt, to the bit, lets the
      // transport keep its eliminations from one step to the next.
      if (rebalanced) {
        // change = the transport's increment over the step (its −c·Δt included), accumulated
        // stage by stage: −u_start + u_after_transport − u_after_kinetics + u_end.
        for_each_index([&](std::size_t i) {
          SpeciesVector& b = balance[i];
          if (space.carries_matter && !space.carries_matter(i)) b.setZero();
          b = b.cwiseMax(-kBalanceLimit / dt * u[i]).cwiseMin(kBalanceLimit / dt * u[i]);
          change[i] = -u[i];
          u[i] -= 0.5 * dt * b;
        });
        space.transport->step(u, 0.5 * dt);
        for_each_index([&](std::size_t i) { change[i] += u[i]; });
        kinetics(t, t_next);
        for_each_index([&](std::size_t i) {
          change[i] -= u[i];
          u[i] -= 0.5 * dt * balance[i];
        });
        space.transport->step(u, 0.5 * dt);
        for_each_index([&](std::size_t i) {
          change[i] += u[i];
          balance[i] = (balance[i] + change[i] / dt).cwiseProduct(moves);
        });
      } else {
        if (space.transport) space.transport->step(u, 0.5 * dt);
        kinetics(t, t_next);
        if (space.transport) space.transport->step(u, 0.5 * dt);
      }
      check_state(u, m, space, t_next, c.atol);
      if (records_inside) {
        u_record.resize(n);
        for (; next_record < records && record_times[next_record] < t_next; ++next_record) {
          const double theta = (record_times[next_record] - t) / (t_next - t);
          for (std::size_t i = 0; i < n; ++i) u_record[i] = (1.0 - theta) * u_step_start[i] + theta * u[i];
          observer.record(record_times[next_record], u_record);
        }
      }
      t = t_next;
      ++stats.split_steps;
      observer.progress(t);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    stats.kinetics_steps += accepted_point[i];
    stats.kinetics_rejected += rejected_point[i];
  }
  return stats;
}

}  // namespace citsim
