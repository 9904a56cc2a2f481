// Subcommands that live in their own files: each adds itself to the app and returns how to run
// it, so src/cli/main.cpp only registers and dispatches them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "citsim/cancel.hpp"
#include "citsim/io/file_rules.hpp"

namespace CLI {
class App;
}

namespace citsim {
class AtomicFile;
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

/// Whether a command that ended with `code` finished its work and wrote its output: 0, and the
/// codes of complete work with a finding in it (a target failed, runs failed).
inline bool output_complete(int code) { return code == kExitOk || code == kExitTargetFailed || code == kExitRunsFailed; }

/// Failed runs are results too (status 2, message, NaN outcomes): the file written is complete,
/// but `citsim sweep` and `citsim merge` say so on stderr and return kExitRunsFailed (else kExitOk).
int report_failed_runs(const std::string& path, std::int64_t failed);

struct Command {
  CLI::App* app = nullptr;   ///< the subcommand (parsed() tells whether it was chosen)
  /// Runs it, polling `cancel` (set by SIGINT/SIGTERM); returns the exit code, throws citsim errors.
  std::function<int(const CancelFlag* cancel)> run;
  /// Commands run in a child process (isolated.hpp): the files they read, the file they write,
  /// and the staged file to write it into instead (its temporary; the parent commits it).
  std::function<std::vector<NamedFile>()> inputs;
  std::function<NamedFile()> output;
  std::function<void(const AtomicFile* into)> write_into;
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
/// citsim ensemble [--targets FILE] [--free NAME[:LO:HI]]... [--exclude ID]... [-o FILE]
Command add_ensemble_command(CLI::App& app);
/// citsim merge SHARD... -o OUT [--virtual] [--ignore-limits]
Command add_merge_command(CLI::App& app);
/// citsim explorer [-o explorer.html]: the explorer page built into the binary (or exit 2, naming
/// the package the build lacked)
Command add_explorer_command(CLI::App& app);

}  // namespace citsim::cli
