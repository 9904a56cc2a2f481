// SIGINT and SIGTERM while citsim works: the handler only records the signal and raises a flag;
// the library polls the flag (after every split step, between sweep runs) and throws Interrupted,
// which unwinds through the temporary files. The process then exits 128 + the signal's number
// (130 for SIGINT, 143 for SIGTERM). A second signal ends the process at once.
#pragma once

#include <string>

#include "citsim/cancel.hpp"

namespace citsim::cli {

/// Installs the handlers for its lifetime (one at a time) and restores the previous ones.
class SignalGuard {
 public:
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  /// The flag to hand to the library: true once a signal arrived.
  const CancelFlag* flag() const;
  /// The signal received (SIGINT, SIGTERM), or 0.
  int signal() const;
  /// 128 + signal(): the shell's convention for a process ended by that signal. 143 (as for
  /// SIGTERM) when the work was stopped without a signal here (another MPI rank received it).
  int exit_code() const;
  /// "SIGINT", "SIGTERM", or "a signal to another MPI rank".
  std::string signal_name() const;
  /// Throws Interrupted(`what`) if a signal arrived.
  void check(const char* what) const;
};

}  // namespace citsim::cli
