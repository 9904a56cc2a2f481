// A sweep spec (TOML): a base config, the axes to vary, the design, the outcomes and readout
// series to keep. Read with the same care as a run config: every error names the file, line, key,
// value and what is allowed, and unknown keys get the nearest known one. Each axis is tried
// against the base config at both ends of its range before any run starts.
//
//   base = "../default.toml"            # relative to the spec file
//   unset = ["protocol.series.needle.density"]  # keys removed from the base, as `--unset`
//   set = ["model.level=0d"]            # overrides of the base, as `citsim run --set`
//   output = "results/sweeps/x.h5"      # relative to the working directory
//   outcomes = ["final_firmness_gain", "collagen_induction@180", "days_to_90pct_gain"]
//   [design]
//   kind = "grid"                       # grid | latin_hypercube | sobol | morris | saltelli
//   [[axis]]
//   key = "needle_length"               # alias, parameter name (k_tx) or dotted config key
//   values = [1.0, 1.5, 2.0]            # or range = [lo, hi] (+ steps = n for grids), scale = "log"
//   unset = []                          # keys each run removes before it sets this axis
//   [series]
//   readouts = ["firmness_gain"]
//   dt = 1
#pragma once

#include <string>
#include <vector>

#include "citsim/sweep/design.hpp"
#include "citsim/sweep/outcomes.hpp"

namespace citsim::sweep {

struct SeriesSpec {
  std::vector<std::string> readouts;  ///< readout names kept over time
  double dt = 1.0;                    ///< common grid step [day]
  double end = 0.0;                   ///< grid end [day]: the base config's end_days by default
};

struct SweepSpec {
  std::string path;  ///< the spec file, for messages
  std::string text;  ///< the spec as read
  std::string base_path;
  std::string base_text;
  std::vector<std::string> base_sets;  ///< spec `unset` (as unset_override), spec `set`, then the command line's
  std::string parameter_table;         ///< the text of the base config's parameter table
  std::string output;
  DesignSpec design;
  std::vector<Axis> axes;
  std::vector<OutcomeSpec> outcomes;
  SeriesSpec series;
};

/// What the command line changes in a spec.
struct SpecOverrides {
  std::vector<std::string> sets;    ///< appended to the spec's `set`
  std::string design_kind;          ///< "" keeps the spec's; else a design kind name
};

/// Reads and checks a spec, its base config and every axis against it. Throws ConfigError.
SweepSpec load_sweep_spec(const std::string& path, const SpecOverrides& overrides = {});
SweepSpec parse_sweep_spec(const std::string& text, const std::string& path,
                           const SpecOverrides& overrides = {});

/// The dotted config key an axis key names: aliases (needle_length, density, sessions,
/// interval_days, first_day, end_days, age, sun_exposure), parameter names (k_tx -> 
/// model.parameters.k_tx, epidermis -> tissue.epidermis) or a dotted key as it is.
/// Empty if `key` is none of these.
std::string resolve_axis_key(const std::string& key);

/// "key=value" for a run's --set list: integers as integers, other numbers always with a
/// decimal point or exponent, with the shortest text that reads back to the same double.
std::string override_text(const Axis& axis, double value);

}  // namespace citsim::sweep
