// Which share of a sweep this process runs: `--shard i/N`, or a SLURM job array's task
// (SLURM_ARRAY_TASK_ID, with the shard count from CITSIM_SHARDS or the array), and the file each
// shard writes.
#pragma once

#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include "citsim/sweep/store.hpp"

namespace citsim::sweep {

/// "i/N" with 0 <= i < N; throws ConfigError (blamed on --shard) otherwise.
Shard parse_shard(const std::string& text);

/// The shard of a SLURM array task, nothing outside an array. Task IDs are shard numbers (the
/// array is submitted as --array=0-(N-1)); the count N is CITSIM_SHARDS when set, else the
/// array's own count, trusted only when the array is visibly whole: more than one task, IDs
/// 0..COUNT-1 in steps of 1 (SLURM_ARRAY_TASK_MIN, _MAX, _STEP, _COUNT). A task resubmitted on
/// its own (--array=3) cannot know its sweep's shard count, so without CITSIM_SHARDS it is refused
/// (ConfigError), never run as the whole sweep. Shard files of another count beside `output`
/// (left by the original array) refuse an inferred count too: a resubmission of some tasks
/// (--array=0-2) looks whole. CITSIM_SHARDS outside an array is refused as well. `getenv` is
/// injectable for tests.
std::optional<Shard> shard_from_slurm(const std::string& output,
                                      const std::function<const char*(const char*)>& getenv = std::getenv);

/// "results/x.h5" -> "results/x.shard-2-of-4.h5" (the whole sweep's name for count 1).
std::string shard_path(const std::string& output, const Shard& shard);

}  // namespace citsim::sweep
