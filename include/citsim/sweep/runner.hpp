// Running the runs of a sweep: one run per thread, each run's own OpenMP switched to one thread,
// records handed to one writer on the calling thread. A run's record depends only on the plan
// and its index, so serial, threaded, MPI and sharded sweeps give the same numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "citsim/cancel.hpp"
#include "citsim/sweep/design.hpp"
#include "citsim/sweep/spec.hpp"
#include "citsim/sweep/store.hpp"

namespace citsim::sweep {

struct SweepPlan {
  SweepSpec spec;
  Design design;
  std::vector<double> grid;  ///< the common time grid of the series
};

SweepPlan make_plan(SweepSpec spec);

/// Runs design point `run`. A run that fails (bad combination, numerical failure) gives a record
/// with status Failed and the message; only programming errors throw, and Interrupted once
/// `cancel` (optional, polled after every split step) is set: an abandoned run is no result.
RunRecord evaluate_run(const SweepPlan& plan, std::int64_t run, const CancelFlag* cancel = nullptr);

/// Called on the calling thread with each finished record, in completion order.
using RecordSink = std::function<void(RunRecord&&)>;

/// Runs `runs` on `threads` threads (>= 1). If the sink throws, the workers stop after their
/// current run and the exception is rethrown. If a thread cannot be started, those started stop
/// after their current run without handing it on and thread_start_failure is thrown. Once `cancel` is set no run starts, the runs in
/// progress are abandoned, every run finished before is still handed to the sink, and
/// Interrupted is thrown if any run was left undone.
void run_threads(const SweepPlan& plan, std::span<const std::int64_t> runs, int threads,
                 const RecordSink& sink, const CancelFlag* cancel = nullptr);

/// A record as bytes (MPI messages), and back. Throws std::invalid_argument on a short buffer.
std::vector<char> serialize(const RunRecord& record);
RunRecord deserialize(std::span<const char> bytes);

}  // namespace citsim::sweep
