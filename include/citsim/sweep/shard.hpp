// Which share of a sweep this process runs: `--shard i/N`, or a SLURM job array's task
// (SLURM_ARRAY_TASK_ID, _MIN, _STEP, _COUNT), and the file each shard writes.
#pragma once

#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include "citsim/sweep/store.hpp"

namespace citsim::sweep {

/// "i/N" with 0 <= i < N; throws ConfigError (blamed on --shard) otherwise.
Shard parse_shard(const std::string& text);

/// The array task's shard when SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are set: task IDs
/// MIN, MIN+STEP, ... map to shards 0, 1, ...; `getenv` is injectable for tests.
std::optional<Shard> shard_from_slurm(const std::function<const char*(const char*)>& getenv = std::getenv);

/// "results/x.h5" -> "results/x.shard-2-of-4.h5" (the whole sweep's name for count 1).
std::string shard_path(const std::string& output, const Shard& shard);

}  // namespace citsim::sweep
