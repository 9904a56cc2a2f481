// Named outcomes of one run (one number each) and readouts resampled onto a common time grid:
// what a sweep keeps of every run. Pure functions of a RunResult.
//
// Outcome names (<readout> is any name of `readout_names()`, "gain" is firmness_gain):
//   final_<readout>           value at the end of the run (a bare <readout> means the same)
//   max_<readout>, peak_<r>   largest value over the run;  min_<readout>: smallest
//   <readout>@<day>           value at that day, linearly interpolated between record times
//   days_to_<P>pct_<readout>  days from the first session until the readout first reaches P % of
//                             its final value (NaN if the final value is not positive)
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "citsim/run.hpp"

namespace citsim::sweep {

enum class OutcomeKind { Final, Max, Min, At, DaysTo };

struct OutcomeSpec {
  std::string name;     ///< as written, e.g. "collagen_induction@180"
  std::string readout;  ///< e.g. "collagen_induction"
  OutcomeKind kind = OutcomeKind::Final;
  double day = 0.0;       ///< At: the day
  double fraction = 0.0;  ///< DaysTo: P/100
  std::string units;
  std::string long_name;
};

/// A readout of every run: its name, units, meaning (the list `run_simulation` fills).
struct ReadoutInfo {
  std::string_view name, units;
};
std::span<const ReadoutInfo> readout_names();

/// The outcome a name describes; throws std::invalid_argument saying which forms are allowed.
OutcomeSpec parse_outcome(std::string_view name);

/// The outcomes a sweep computes when its spec names none.
std::vector<std::string> default_outcome_names();

/// Value of every outcome; throws std::invalid_argument if an `At` day is outside the run.
std::vector<double> compute_outcomes(const RunResult& result, std::span<const OutcomeSpec> specs,
                                     double first_session_day);

/// `values` over `time` (ascending) linearly interpolated at `grid`; NaN outside [time0, timeN].
std::vector<double> resample(std::span<const double> time, std::span<const double> values,
                             std::span<const double> grid);

/// 0, dt, 2 dt, ... up to `end` (and `end` itself when it is not a multiple), computed by
/// multiplication so every sweep gets the same grid.
std::vector<double> common_grid(double dt, double end);

}  // namespace citsim::sweep
