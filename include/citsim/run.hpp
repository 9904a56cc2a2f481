// One run, end to end: a RunConfig in, a RunResult (every series the file holds) out.
// The glue between model, numerics and readouts; no file is touched here.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "citsim/cancel.hpp"
#include "citsim/numerics/closure_shell_simulation.hpp"
#include "citsim/numerics/column_simulation.hpp"
#include "citsim/numerics/field_simulation.hpp"
#include "citsim/problem.hpp"

namespace citsim {

/// A named time series with its attributes.
struct Series {
  std::string name, units, long_name;
  std::vector<double> values;
};

/// Layer means over time.
struct LayerSeries {
  std::string name;
  std::array<std::vector<double>, kSpeciesCount> species;
  std::vector<double> synthesis;    ///< ⟨S⟩ [mg/cm³/day]
  std::vector<double> type3_share;  ///< ⟨S·f3⟩/⟨S⟩
};

/// What one session did (docs/model.md §2 "outputs also carry per session").
struct SessionRecord {
  Session session;
  double d_eff, d_derm;
  bool reached_plexus;
  std::vector<double> phi;     ///< layer means of φ, per reported layer
  std::vector<double> phi_ch;  ///< layer means of φ_ch, per reported layer
};

struct RunResult {
  ModelLevel level;
  std::vector<std::string> layer_names;
  std::vector<double> time;  ///< record times [day]
  std::vector<double> z;     ///< cell centres [mm] (0D: the reticular mid-depth)
  std::vector<LayerSeries> layers;
  std::vector<Series> readouts;
  std::vector<double> profile_time;
  std::array<std::vector<double>, kSpeciesCount> profiles;  ///< (profile_time × z), row-major
  std::vector<SessionRecord> sessions;
  /// 2D/3D only: lateral cell centres [mm] (`y` empty in 2D), the whole field of every species
  /// at each profile time (profile_time × cells in FieldGrid order: y, x, then z fastest), and
  /// each session's channel centres. `profiles` then holds the lateral means.
  std::vector<double> x, y;
  std::array<std::vector<double>, kSpeciesCount> fields;
  std::vector<ChannelPattern> channels;
  std::vector<Series> tissue;  ///< resting profiles over z: v, F_rest, C_rest, q3, E_rest, p_C ...
  Parameters base;             ///< the parameters as configured
  Parameters effective;        ///< with patient modifiers and the start age applied
  double pre_treatment_R0 = 0.0;
  /// Layer means just before the first session (the initial state if there is none), in the
  /// order of `layers`; `species` and `synthesis` hold one value each.
  std::vector<LayerSeries> pre_treatment;
  SimulationStats stats;
  double wall_seconds = 0.0;
  std::vector<std::string> warnings;

  const Series& readout(const std::string& name) const;
  const LayerSeries& layer(const std::string& name) const;
};

/// Throws NumericalError naming the first readout value that is NaN or infinite, with its day:
/// a run never reports a readout it could not form (run_simulation checks its result with it).
void require_finite_readouts(const RunResult& result);

/// The column model (0D or 1D) a config describes.
ColumnModel build_column_model(const RunConfig& config);

/// The 1D closure a config describes: its column, numerics.closure_shells shells (1: core and one
/// surround) and, per session, the distance distribution of a Poisson pattern of the channels
/// `numerics.closure` names (cylinders at ρ, or slits at λ = ρπr_inj(0)/200 per mm).
ShellClosureModel build_shell_closure_model(const RunConfig& config);

/// The 2D or 3D model a config describes: its channels drawn from the config's seed.
FieldModel build_field_model(const RunConfig& config);

/// Sorted record times: every output.dt, every dense_dt for dense_days after each session,
/// every profile_dt, the sessions and the end. Computed by multiplication, never accumulated.
std::vector<double> record_times(const RunConfig& config);
std::vector<double> profile_times(const RunConfig& config);

/// Progress callback: (current time, end time) [day].
using ProgressFn = std::function<void(double, double)>;

/// Integrates `config`. Refuses a problem with issues (problem_schema.hpp, validate) by
/// throwing InvalidProblem, a ConfigError that lists them. `cancel` (optional) is polled after
/// every split step: once it reads true the run throws Interrupted. Throws NumericalError if the
/// integration fails or a readout is not finite (require_finite_readouts).
RunResult run_simulation(const RunConfig& config, const ProgressFn& progress = {},
                         const CancelFlag* cancel = nullptr);

}  // namespace citsim
