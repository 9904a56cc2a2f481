// The sweep's HDF5 files. While a sweep runs, its runs go into a work file (`OUT.partial`),
// written under SWMR as each run finishes: every dataset is preallocated, a run's rows are
// flushed before its status says "ok", so a sweep killed at any moment leaves a file that opens
// and tells which runs are done. When every run is done the work file is copied, block by block,
// into the final file (temporary name, then rename): the same bytes whatever the thread count,
// process count or sharding. Shards are final files of their runs; merging them writes the
// whole sweep, as a real copy or as virtual datasets over the shard files.
//
// Final layout (docs/cluster.md): /sweep/run, /sweep/parameter, /sweep/outcome, /sweep/time
// (dimension scales); /sweep/params (run, parameter); /sweep/outcomes (run, outcome);
// /sweep/series/<readout> (run, time); /sweep/status (run): 0 pending, 1 ok, 2 failed;
// /sweep/message (run); /sweep/wall_seconds (run); the spec and base config as root attributes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "citsim/sweep/analysis.hpp"
#include "citsim/sweep/design.hpp"

namespace citsim {
class AtomicFile;
}

namespace citsim::sweep {

struct SweepSpec;

enum class RunStatus : std::int8_t { Pending = 0, Ok = 1, Failed = 2 };

/// What a sweep keeps of one run.
struct RunRecord {
  std::int64_t run = 0;
  RunStatus status = RunStatus::Pending;
  std::string message;  ///< why a run failed ("" when ok)
  std::vector<double> params;
  std::vector<double> outcomes;
  std::vector<std::vector<double>> series;  ///< per kept readout, on the common grid
  double wall_seconds = 0.0;
};

/// Runs index + k·count (k = 0, 1, ...) of a sweep: round-robin, so shards get similar work.
struct Shard {
  std::int64_t index = 0;
  std::int64_t count = 1;
};
std::int64_t shard_rows(std::int64_t total_runs, const Shard& shard);

/// Everything fixed before the first run: the shape and meaning of every dataset.
struct StoreLayout {
  std::int64_t total_runs = 0;
  Shard shard;
  DesignSpec design;
  std::vector<std::string> param_names, param_units, param_keys;
  std::vector<std::string> outcome_names, outcome_units, outcome_long_names;
  std::vector<std::string> readouts, readout_units;
  std::vector<double> time;
  std::string spec_path, spec_text, base_path, base_text;
  std::vector<std::string> base_sets;
  std::string parameter_table;  ///< the parameter table's text: a resumed or merged sweep must share it

  std::int64_t rows() const { return shard_rows(total_runs, shard); }
  std::int64_t run_of_row(std::int64_t row) const { return shard.index + row * shard.count; }
};

StoreLayout make_layout(const SweepSpec& spec, const Design& design, const Shard& shard);
/// Bytes of a sweep file of `layout` (the work file with `work`, else the final file; a
/// `virtual_datasets` merge holds no params, outcomes or series). An upper bound: no compression,
/// failure messages at their longest in the final file.
std::uint64_t store_bytes(const StoreLayout& layout, bool work, bool virtual_datasets = false);

/// The layout a work, shard or final file holds. Throws IoError if it is no sweep file.
StoreLayout read_layout(const std::string& path);
/// Whether two layouts describe the same sweep (spec, base config, design, names), shards aside;
/// if not, `why` says what differs.
bool same_sweep(const StoreLayout& a, const StoreLayout& b, std::string* why = nullptr);

/// The work file of a running sweep.
class WorkFile {
 public:
  /// Resumes `path` if it holds this sweep and shard, creates it if absent; throws IoError if it
  /// holds another sweep or cannot be opened.
  WorkFile(const std::string& path, const StoreLayout& layout);
  ~WorkFile();
  WorkFile(const WorkFile&) = delete;
  WorkFile& operator=(const WorkFile&) = delete;

  /// Runs not yet finished (ok or failed), ascending.
  std::vector<std::int64_t> pending() const;
  std::int64_t finished() const { return finished_; }
  void write(const RunRecord& record);
  void close();

 private:
  struct Impl;
  Impl* impl_;
  std::int64_t finished_ = 0;
};

struct FinalSummary {
  std::int64_t ok = 0, failed = 0, pending = 0;
};

/// Writes the final file `path` of `layout` from `sources` (a work file, or the shard files of a
/// sweep in any order) atomically. `virtual_datasets`: the big datasets refer to the sources
/// instead of copying them (merges only). Global-sensitivity designs get their indices.
FinalSummary write_final(const std::string& path, const StoreLayout& layout,
                         const std::vector<std::string>& sources, bool virtual_datasets = false);
/// The same, into the temporary of `into` (virtual datasets refer to the sources from its target's
/// directory); the caller commits it.
FinalSummary write_final(const AtomicFile& into, const StoreLayout& layout,
                         const std::vector<std::string>& sources, bool virtual_datasets = false);

/// The indices a final file of a Morris or Saltelli sweep holds (/sweep/sensitivity).
SensitivityTable read_sensitivity(const std::string& path);

/// The status column of a sweep file.
std::vector<std::int8_t> read_status(const std::string& path);

}  // namespace citsim::sweep
