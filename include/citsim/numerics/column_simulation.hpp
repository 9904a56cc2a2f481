// The between-sessions driver for 0D and 1D: Strang splitting of transport (backward Euler,
// half steps) around the local kinetics (adaptive Rosenbrock per point, OpenMP over points),
// with sessions applied as jumps at exact step boundaries (docs/model.md §8). The loop itself is the
// one of every level (split_step.hpp); the column contributes its transport (transport.hpp).
//
// What is simulated (`ColumnModel`) is plain data built by the model; how it is stepped is here;
// what is recorded is decided by the `ColumnObserver` the caller passes in.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "citsim/model/injury.hpp"
#include "citsim/model/tissue.hpp"
#include "citsim/numerics/grid.hpp"
#include "citsim/numerics/kinetics_stepper.hpp"
#include "citsim/numerics/transport.hpp"

namespace citsim {

/// A session with its injured fractions already evaluated in every cell.
struct SessionInjury {
  Session session;
  std::vector<InjuryFractions> cells;
};

struct ColumnModel {
  std::string level_name;         ///< "0d" or "1d", for messages
  Grid grid;                      ///< one cell in 0D
  std::vector<Site> sites;        ///< one per cell
  Parameters params;              ///< with the patient's modifiers applied
  Patient patient;
  bool aging_drift = false;
  bool transport = true;          ///< false in 0D
  std::vector<SessionInjury> sessions;  ///< sorted by time
};

/// How a split step couples transport and kinetics (docs/model.md, "Numerics").
enum class Splitting {
  Strang,      ///< transport(Δt/2) ∘ kinetics(Δt) ∘ transport(Δt/2)
  Rebalanced,  ///< the same with a balancing term carried from step to step (split_step.hpp)
};

/// Tolerances and step sizes (`[numerics]` in a config). The kinetics tolerances sit far below
/// the splitting error at the default steps (docs/model.md), which sets the accuracy.
struct StepControl {
  double rtol = 1e-3, atol = 1e-6;
  KineticsMethod kinetics_method = KineticsMethod::Ros3;  ///< docs/model.md §8, "Order-3 methods"
  Splitting splitting = Splitting::Rebalanced;
  double dt_rel = 0.05;  ///< split step = dt_rel·(time since last session + dt_lag), clamped
  double dt_lag = 0.02;
  double dt_min = 1e-4;
  double dt_max = 1.0;
  /// Every record time ends a split step (exact records, more steps); false: records between
  /// step ends are interpolated linearly and the steps follow the healing clock alone.
  bool stop_at_records = false;
  /// Threads sharing a split step's points. 0: automatic, one thread below
  /// `kParallelColumnPoints` points (a column's split step is about a millisecond, not much more
  /// than a busy machine takes to wake a waiting thread) and every OpenMP thread above; n: n.
  /// Results are the same for any value.
  int threads = 0;
};

/// Points from which an automatic thread count goes parallel: 2D and 3D fields (tens of thousands),
/// not the 1D closure (K + 1 points per cell, 1 044 by default, 7 540 at 64 shells), whose serial
/// transport takes half of every split step: on two cores a second thread made the default year
/// slower (1.61–1.70 s against 1.49–1.54 s of wall time) at twice the CPU, and on a loaded machine
/// waking it every split step made the year 15–25 times slower.
inline constexpr std::size_t kParallelColumnPoints = 8192;

/// Receives the state at the times the caller asked for; the only place output happens.
class ColumnObserver {
 public:
  virtual ~ColumnObserver() = default;
  /// State at a record time (after a session's jump if one falls there); between the ends of
  /// a split step, interpolated linearly (StepControl::stop_at_records).
  virtual void record(double t, const ColumnState& u) = 0;
  /// State just before session k's jump.
  virtual void before_session(std::size_t k, double t, const ColumnState& u) = 0;
  /// Called after every split step (progress bars).
  virtual void progress(double /*t*/) {}
};

struct SimulationStats {
  std::int64_t split_steps = 0;
  std::int64_t kinetics_steps = 0;     ///< accepted Rosenbrock steps summed over points
  std::int64_t kinetics_rejected = 0;  ///< rejected Rosenbrock steps summed over points
};

/// The initial (resting) state of every cell.
ColumnState resting_column(const ColumnModel& model);

/// Integrate from `t_start` to the last of `record_times` (sorted, ≥ t_start), calling the
/// observer. Deterministic for any OpenMP thread count. Throws NumericalError on failure.
SimulationStats simulate_column(const ColumnModel& model, const StepControl& control,
                                double t_start, std::span<const double> record_times,
                                ColumnState& state, ColumnObserver& observer);

}  // namespace citsim
