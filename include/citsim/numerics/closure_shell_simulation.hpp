// The distance-resolved 1D closure: every depth cell holds the core (the injured zones of the
// last session's channels at their local fractions, area fraction φ(z)) and K shells of the
// uninjured surround cut by distance to the nearest channel (closure_shells.hpp). All run the
// kinetics of every level unchanged, move in depth and exchange along the shell chain
// (closure_shell_transport.hpp). Observers see the lateral mean Σ A_k·c_k, so the readouts and
// the file contract are those of the mean-field column.
//
// Sessions land at new positions: the core and every shell merge (area-weighted) into the mean,
// from which the new core is cut and injured and the new shells restart, uniform, at the mean.
// The mean's jump is therefore exactly the mean-field jump; only what follows differs.
#pragma once

#include <limits>
#include <span>
#include <vector>

#include "citsim/numerics/closure_shells.hpp"
#include "citsim/numerics/column_simulation.hpp"

namespace citsim {

struct ShellClosureModel {
  ColumnModel column;                        ///< the 1D column: grid, sites, sessions with φ(z), φ_ch(z)
  int shells = 1;                            ///< K
  std::vector<DistanceHistogram> distances;  ///< per session: the channels' distance distribution
  /// Faster exchange while a new core's edge is fresh (closure_exchange.hpp); false: the
  /// pseudo-steady exchange from the moment of the injury.
  bool fresh_boundaries = true;
  /// Neighbours in a cell's chain that agree in every species within
  /// `group_abs + group_rel·max(|a|, |b|)` share their kinetics (SplitSpace::kinetics_groups);
  /// group_rel = 0: every compartment on its own. A bound of its own, not the kinetics'
  /// tolerance: sharing is exact only to second order in the spread, and at 30 % apart the
  /// lateral mean drifts by a percent (bench/README.md, "The 1D closure's cost").
  double group_rel = 1e-2;
  double group_abs = 1e-5;
};

/// The state: K + 1 points per depth cell (core first) and the compartments the last session cut.
struct ShellClosureState {
  ColumnState points;
  std::vector<ShellGeometry> geometry;
  double injured_at = -std::numeric_limits<double>::infinity();  ///< time of the last session [day]
};

/// Untreated tissue: every compartment at rest, all the area in the core (nothing to exchange).
ShellClosureState resting_shell_closure(const ColumnModel& column, int shells);

/// The lateral mean Σ A_k·c_k of every depth cell.
ColumnState lateral_mean(const ShellClosureState& state);

/// Integrate from `t_start` to the last of `record_times`, as `simulate_column`; the observer
/// receives lateral means. Deterministic for any thread count. Throws NumericalError on failure,
/// std::invalid_argument if the distributions do not match the sessions or K the state.
SimulationStats simulate_shell_closure(const ShellClosureModel& model, const StepControl& control, double t_start,
                                       std::span<const double> record_times, ShellClosureState& state,
                                       ColumnObserver& observer);

}  // namespace citsim
