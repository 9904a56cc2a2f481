// Subcommands that live in their own files register themselves here; main.cpp dispatches.
#pragma once

#include <CLI/CLI.hpp>

namespace citsim::cli {

/// Exit codes of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitTargetFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitNumerical = 3;

/// `citsim sensitivity`: local normalised sensitivities of a config's outcomes. The command runs
/// from its callback during parsing and stores its exit code in `exit_code`.
CLI::App* add_sensitivity_command(CLI::App& app, int& exit_code);

}  // namespace citsim::cli
