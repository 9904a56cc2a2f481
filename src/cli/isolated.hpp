// Commands that read HDF5 files from elsewhere (`citsim report`, `citsim merge`) do their work in
// a child process. libhdf5 1.10 does not check every structure of a file it reads: a damaged file
// can crash it (docs/reliability.md, "Fuzzing"). In a child, such a crash becomes a message naming
// the inputs and exit code 2, the child's temporary files are removed, and existing files stay as
// they were, as for any other bad input.
//
// The child never replaces the output itself. The parent checks the output against the inputs
// (file_rules.hpp) and creates the output's temporary (AtomicFile); the child writes into that
// temporary, and the parent renames it into place once the child has ended with its work complete.
// A child outlives no parent: it ends when its parent dies (PR_SET_PDEATHSIG), removing the
// temporary, and any signal ends it at once, even inside libhdf5.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "citsim/io/atomic_file.hpp"
#include "citsim/io/file_rules.hpp"
#include "interrupt.hpp"

namespace citsim::cli {

/// Runs `work` (which maps citsim errors to exit codes itself and writes its output into the
/// temporary it is given) in a child and returns its exit code; the output is committed if that
/// code says the work is complete (output_complete, commands.hpp). If the child dies of a crash,
/// prints which `inputs` it was reading and returns 2. Signals received here are passed on to the
/// child. Without fork (it failed), runs `work(nullptr)` here: the command writes `output` itself.
int run_isolated(const std::function<int(const AtomicFile* into)>& work, const std::vector<NamedFile>& inputs,
                 const NamedFile& output, const SignalGuard& signals);

}  // namespace citsim::cli
