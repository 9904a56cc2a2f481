// The between-sessions driver for 2D and 3D: the split-step loop of every level (split_step.hpp)
// with the field's transport (field_transport.hpp) around the same
// per-point kinetics (OpenMP over cells, per-cell step history, so any thread count gives the
// same numbers), sessions as jumps at exact step boundaries, and the same observer interface:
// the observer receives the whole field, cell by cell in FieldGrid order.
#pragma once

#include <span>

#include "citsim/model/channel_pattern.hpp"
#include "citsim/numerics/column_simulation.hpp"
#include "citsim/numerics/field_grid.hpp"
#include "citsim/numerics/field_transport.hpp"

namespace citsim {

/// A 2D or 3D model: a ColumnModel whose `grid` is the depth grid and whose `sites` and session
/// `cells` cover every cell of `field` (FieldGrid order), plus the lateral geometry.
struct FieldModel {
  ColumnModel cells;
  FieldGrid field;
  std::vector<ChannelPattern> channels;  ///< per session
};

/// Integrate from `t_start` to the last of `record_times`, as `simulate_column`.
SimulationStats simulate_field(const FieldModel& model, const StepControl& control, double t_start,
                               std::span<const double> record_times, FieldState& state,
                               ColumnObserver& observer);

}  // namespace citsim
