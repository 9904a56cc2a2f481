// A sweep run to its file, resumably: what every front end (the command line, the Python package)
// does with a plan. The output and its work file are checked against the rules for outputs and
// the limits, claimed against a second sweep, then the runs still to do are computed and written
// to the work file as each finishes; at the end the final file is written and the work file goes.
// Run again after an interruption, the same call does only the runs left (docs/cluster.md).
//
//   SweepPlan plan = make_plan(load_sweep_spec("configs/sweeps/needle_density.toml"));
//   SweepOptions o;
//   o.output = "results/sweeps/nd.h5";
//   o.threads = 2;
//   const SweepSummary s = run_sweep(plan, o, {}, &cancel);  // Interrupted once `cancel` is set
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "citsim/cancel.hpp"
#include "citsim/io/limits.hpp"
#include "citsim/sweep/runner.hpp"
#include "citsim/sweep/store.hpp"

namespace citsim::sweep {

/// What a front end chooses about one sweep.
struct SweepOptions {
  std::string output;                            ///< the file of this shard (shard_path already applied)
  std::string output_role = "the output";        ///< how messages name it ("the output, -o")
  std::string another_output = "another output";     ///< in messages: "choose another -o"
  std::string restart_hint = "restart the sweep";    ///< in messages: "run with --restart"
  Shard shard;                                   ///< which runs of the design
  int threads = 1;                               ///< runs at once (>= 1)
  bool restart = false;                          ///< discard earlier results of this output first
  OnLimit on_limit = OnLimit::Refuse;
};

/// What is known before the first run, for a front end to announce.
struct SweepStart {
  const StoreLayout* layout = nullptr;
  bool complete = false;          ///< the file exists already: nothing to do
  std::int64_t already_done = 0;  ///< runs an earlier, interrupted session finished
  std::int64_t to_do = 0;         ///< runs this call computes
};

/// Computes `runs`, handing every record to `sink` on the calling thread (run_threads, run_mpi).
using SweepExecutor = std::function<void(std::span<const std::int64_t> runs, const RecordSink& sink)>;

/// Optional calls into the front end, all on the calling thread.
struct SweepHooks {
  std::function<void(const std::string&)> warn;        ///< a limit's finding under OnLimit::Warn
  std::function<void(const SweepStart&)> start;        ///< once, before the first run
  std::function<void(std::int64_t done, std::int64_t to_do)> progress;  ///< after every run
  SweepExecutor execute;  ///< not called when nothing is to do; default run_threads on options.threads
};

struct SweepSummary {
  std::string path;            ///< the file written (or found complete)
  bool was_complete = false;   ///< found complete: no run computed
  std::int64_t done = 0;       ///< runs computed by this call
  std::int64_t ok = 0, failed = 0;
  double seconds = 0.0;        ///< wall time of the runs [s]
};

/// Runs `plan` into `options.output`. Throws ConfigError (bad options, threads that cannot start),
/// IoError (an output the rules refuse, a file of another sweep, a failed write), the limits'
/// errors, and Interrupted("N of M runs done (K in this session)") once `cancel` is set: every
/// finished run is then in the work file and a later call resumes from it.
SweepSummary run_sweep(const SweepPlan& plan, const SweepOptions& options, const SweepHooks& hooks = {},
                       const CancelFlag* cancel = nullptr);

}  // namespace citsim::sweep
