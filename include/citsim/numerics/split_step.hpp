// The one between-sessions driver of every level (0D, 1D, the 1D core/surround closure, 2D, 3D):
// Strang splitting `transport(Δt/2) ∘ kinetics(Δt) ∘ transport(Δt/2)`, by default rebalanced
// (below), with the step-size rule of
// the healing clock, sessions applied as jumps at exact step boundaries (docs/model.md §8), records
// between step ends interpolated (what is recorded does not change what is computed), the
// per-point kinetics (RODAS4, OpenMP over points, a step history per point so that any thread
// count gives the same numbers) and the state check after every step.
//
// Rebalanced splitting (after Speth, Green, MacNamara & Strang, SIAM J. Numer. Anal. 51, 2013):
// plain splitting is wrong where transport and kinetics hold each other in balance — a channel's
// core making cytokines that the exchange carries away at once. Over a step the kinetics, run
// without the export, overshoot, and the next transport undoes it: an error of the order of the
// step, whatever the splitting's formal order. So each point carries a balancing term c per
// mobile species, the transport's own mean rate over the previous step: the kinetics integrate
// R(u) + c and each transport half step starts from u − c·Δt/2. At a balance both parts then
// stand still, as the whole system does; c·Δt cancels over a step, so what the transport
// conserves stays conserved; where nothing moves c stays zero and the split is the plain one
// (1D with uniform injury equals 0D). c restarts at zero after every session, and |c|·Δt is
// held within 2·u (so u − c·Δt/2 ≥ 0: the transport still starts from a non-negative state),
// which matters only in the first steps after an injury. In the kinetics a sink (c < 0) fades
// out just above zero (kinetics_stepper.hpp), so it cannot empty a species that the kinetics
// themselves also empty.
//
// What differs between the levels is only how points exchange matter (a `TransportOperator`),
// how a session's jump acts on the points (by default: the injury jump of docs/model.md §2 with each
// point's fractions) and how a point is named in messages.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "citsim/numerics/column_simulation.hpp"
#include "citsim/numerics/transport_operator.hpp"

namespace citsim {

/// The spatial part of a level, for `simulate_split`.
struct SplitSpace {
  /// Transport between points; null for a single well-mixed point (0D).
  TransportOperator* transport = nullptr;
  /// Where point i is, for messages (e.g. "z = 0.3 mm").
  std::function<std::string(std::size_t)> locate;
  /// Session k's jump on the whole state; empty: `apply_injury` at every point with the session's
  /// `cells[i]`.
  std::function<void(std::size_t, ColumnState&)> session_jump;
  /// Points whose kinetics may be taken once for all of them (the closure's compartments that
  /// agree within the kinetics' tolerance), asked before every kinetics step: `lead[i]` the
  /// first point of i's group (≤ i, at the same site; i itself when alone), `weight[i]` i's share of its group's
  /// mean (the shares of a group sum to 1). A group's kinetics run on its mean, and every member
  /// receives the mean's increment: the weighted mean is advanced exactly as one point would be,
  /// and the members' spread, within the tolerance, is kept. Empty: every point on its own.
  std::function<void(const ColumnState&, std::vector<std::size_t>& lead, std::vector<double>& weight)> kinetics_groups;
  /// Whether point i holds matter (the closure's compartments of zero area do not: the transport
  /// sets them equal to a neighbour, no rate of theirs to balance); empty: every point.
  std::function<bool(std::size_t)> carries_matter;
};

/// Integrate `points` (one site per point of `u`; sessions with one fraction pair per point
/// unless `space.session_jump` is given) from `t_start` to the last of `record_times` (sorted,
/// ≥ t_start), calling the observer with the state as it is. Deterministic for any thread count.
/// Throws NumericalError naming time, level, place and species on failure.
SimulationStats simulate_split(const ColumnModel& points, const SplitSpace& space, const StepControl& control,
                               double t_start, std::span<const double> record_times, ColumnState& u,
                               ColumnObserver& observer);

}  // namespace citsim
