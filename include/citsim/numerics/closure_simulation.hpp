// The 1D core/surround closure: a depth column whose every cell holds two compartments, a core
// standing for the injured zones of the last session's channels at their local fractions
// (injured fraction 1, channel fraction φ_ch/φ) with area fraction φ(z), and the uninjured
// surround (1 − φ). Both run the kinetics of every level unchanged, move in depth, and exchange
// every mobile species laterally at the channel spacing (closure_transport.hpp,
// closure_exchange.hpp), faster while the new cores' edges are fresh. The lateral mean φ·core + (1 − φ)·surround is what observers see, so
// the readouts and the file contract are those of the mean-field column.
//
// Sessions land at new positions: the old core and the surround merge (area-weighted) into the
// mean, from which the new core is cut and injured. The mean's jump is therefore exactly the
// mean-field jump (MODEL.md §2 is linear in φ and φ_ch); only what follows differs.
#pragma once

#include <limits>
#include <span>
#include <vector>

#include "citsim/numerics/closure_exchange.hpp"
#include "citsim/numerics/column_simulation.hpp"

namespace citsim {

struct ClosureModel {
  ColumnModel column;                   ///< the 1D column: grid, sites, sessions with φ(z), φ_ch(z)
  std::vector<ChannelLattice> lattice;  ///< per session: the channels' shape and density
};

/// The state of a closure run: two points per depth cell (core at 2i, surround at 2i+1) and the
/// geometry the last session left.
struct ClosureState {
  ColumnState points;
  std::vector<double> core_area;           ///< a_i: area fraction of the core
  std::vector<ExchangeGeometry> geometry;  ///< the core's boundary in each cell
  double injured_at = -std::numeric_limits<double>::infinity();  ///< time of the last session [day]
};

/// Untreated tissue: both compartments at rest, no core.
ClosureState resting_closure(const ColumnModel& column);

/// The lateral mean a·core + (1 − a)·surround of every depth cell.
ColumnState lateral_mean(const ClosureState& state);

/// Integrate from `t_start` to the last of `record_times`, as `simulate_column`; the observer
/// receives lateral means. Deterministic for any thread count. Throws NumericalError on failure,
/// std::invalid_argument if the lattices do not match the sessions.
SimulationStats simulate_closure(const ClosureModel& model, const StepControl& control, double t_start,
                                 std::span<const double> record_times, ClosureState& state,
                                 ColumnObserver& observer);

}  // namespace citsim
