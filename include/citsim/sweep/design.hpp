// Which parameter values each run of a sweep takes: a full grid, a seeded Latin hypercube, a
// Sobol sequence, or a global-sensitivity design (Morris trajectories, Saltelli matrices). A run's
// values depend on its index only, never on which thread, process or shard computes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "citsim/sweep/sensitivity.hpp"

namespace citsim::sweep {

/// The most runs of a sweep, and so of shards: run indices, Sobol indices and products stay exact,
/// and every file that records a count is checked against it.
inline constexpr std::int64_t kMaxRuns = std::int64_t{1} << 31;

enum class DesignKind { Grid, LatinHypercube, Sobol, Morris, Saltelli };
std::string_view to_string(DesignKind k);
/// "grid", "latin_hypercube", "sobol", "morris", "saltelli"; nullopt for anything else.
std::optional<DesignKind> design_kind_from(std::string_view name);

enum class AxisScale { Linear, Log };

/// One swept config key.
struct Axis {
  std::string key;    ///< dotted config key, e.g. "model.parameters.k_tx"
  std::string name;   ///< column name in /sweep/params
  std::string units;  ///< "1" when dimensionless, "" when unknown
  std::vector<double> values;  ///< grid designs: every value, in order
  double lo = 0.0, hi = 0.0;   ///< other designs: the range sampled
  AxisScale scale = AxisScale::Linear;
  bool integer = false;        ///< the config takes an integer: values are rounded
  /// Config keys each run removes before it sets this axis's value (`unset = [...]`, as
  /// --unset): a roller's passes can then replace the base's density.
  std::vector<std::string> unset;
};

struct DesignSpec {
  DesignKind kind = DesignKind::Grid;
  std::int64_t runs = 0;         ///< latin_hypercube, sobol
  std::uint64_t seed = 1;        ///< latin_hypercube, morris, bootstrap of saltelli
  int levels = 4;                ///< morris
  int trajectories = 10;         ///< morris
  std::int64_t base_runs = 64;   ///< saltelli: runs = base_runs · (axes + 2)
  std::int64_t skip = 0;         ///< sobol: points skipped at the start
  int bootstrap = 200;           ///< saltelli: bootstrap resamples for the intervals
};

/// Maps u in [0, 1) onto an axis range (log-uniform for Log); integers take every whole number
/// of [lo, hi] with equal share.
double axis_value(const Axis& axis, double u);

class Design {
 public:
  /// Throws std::invalid_argument naming what is wrong (e.g. a grid axis without values).
  Design(DesignSpec spec, std::vector<Axis> axes);

  std::int64_t runs() const { return runs_; }
  const DesignSpec& spec() const { return spec_; }
  const std::vector<Axis>& axes() const { return axes_; }
  /// The value of every axis in run `run`, in axis order.
  std::vector<double> values(std::int64_t run) const;
  /// The unit-cube point of run `run` (not for grids).
  std::vector<double> unit_point(std::int64_t run) const;
  /// Morris trajectories (kind Morris only).
  const MorrisDesign& morris() const { return morris_; }

 private:
  DesignSpec spec_;
  std::vector<Axis> axes_;
  std::int64_t runs_ = 0;
  std::vector<double> lhs_;  ///< latin hypercube: runs × axes, row-major
  MorrisDesign morris_;
};

}  // namespace citsim::sweep
