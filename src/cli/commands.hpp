// Subcommands that live in their own files: each adds itself to the app and returns how to run
// it, so src/cli/main.cpp only registers and dispatches them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "citsim/cancel.hpp"

namespace CLI {
class App;
}

namespace citsim::cli {

/// Exit codes of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitTargetFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitNumerical = 3;
/// A sweep (or the merge of its shards) finished, but some of its runs failed (their status and
/// message are in the file written).
inline constexpr int kExitRunsFailed = 4;
/// Interrupted: 128 + the signal's number (130 SIGINT, 143 SIGTERM), see interrupt.hpp.

/// Failed runs are results too (status 2, message, NaN outcomes): the file written is complete,
/// but `citsim sweep` and `citsim merge` say so on stderr and return kExitRunsFailed (else kExitOk).
int report_failed_runs(const std::string& path, std::int64_t failed);

struct Command {
  CLI::App* app = nullptr;   ///< the subcommand (parsed() tells whether it was chosen)
  /// Runs it, polling `cancel` (set by SIGINT/SIGTERM); returns the exit code, throws citsim errors.
  std::function<int(const CancelFlag* cancel)> run;
  /// The files it reads and the file it writes, where known (commands run in a child process).
  std::function<std::vector<std::string>()> inputs;
  std::function<std::string()> output;
};

/// citsim sensitivity [CONFIG] [--param NAME]... [--readout NAME]... [-o FILE.h5]
Command add_sensitivity_command(CLI::App& app);
/// citsim sweep SPEC [-o OUT] [--set k=v]... [-j N] [--shard i/N] [--sensitivity morris|sobol] [--ignore-limits]
Command add_sweep_command(CLI::App& app);
/// Global sensitivity (Morris or Sobol/Saltelli) over the axes of a sweep spec: a sweep with that
/// design, resumable like any other; `citsim sensitivity --method morris|sobol` runs it.
int run_global_sensitivity(const std::string& spec, const std::string& method, const std::string& output,
                           const std::vector<std::string>& sets, int threads, bool quiet, bool ignore_limits,
                           const CancelFlag* cancel);
/// citsim merge SHARD... -o OUT [--virtual] [--ignore-limits]
Command add_merge_command(CLI::App& app);

}  // namespace citsim::cli
