// Commands that read HDF5 files from elsewhere (`citsim report`, `citsim merge`) do their work in
// a child process. libhdf5 1.10 does not check every structure of a file it reads: a damaged file
// can crash it (docs/reliability.md, "Fuzzing"). In a child, such a crash becomes a message naming
// the inputs and exit code 2, the child's temporary files are removed, and existing files stay as
// they were, as for any other bad input.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "interrupt.hpp"

namespace citsim::cli {

/// Runs `work` (which maps citsim errors to exit codes itself) in a child and returns its exit
/// code. If the child dies of a crash, prints which `inputs` it was reading, removes the child's
/// temporaries beside `output` and returns 2. SIGINT/SIGTERM received here are passed on to the
/// child. Without fork (it failed), runs `work` here.
int run_isolated(const std::function<int()>& work, const std::vector<std::string>& inputs,
                 const std::string& output, const SignalGuard& signals);

}  // namespace citsim::cli
