// Subcommands that live in their own files: each adds itself to the app and returns how to run
// it, so src/cli/main.cpp only registers them.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace citsim::cli {

struct Command {
  CLI::App* app = nullptr;   ///< the subcommand (parsed() tells whether it was chosen)
  std::function<int()> run;  ///< runs it; returns the exit code, throws citsim errors
};

/// citsim sweep SPEC [-o OUT] [--set k=v]... [-j N] [--shard i/N] [--sensitivity morris|sobol]
Command add_sweep_command(CLI::App& app);
/// citsim merge SHARD... -o OUT [--virtual]
Command add_merge_command(CLI::App& app);

}  // namespace citsim::cli
