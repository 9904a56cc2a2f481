// The signal policy of every command (docs/reliability.md, "Signals"). No signal leaves a
// temporary file behind; SIGKILL alone cannot be caught.
//
// - A request to stop: every signal whose default action ends the process and that a user, a
//   terminal, a scheduler or a timer sends (SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
//   SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGIO, SIGPWR, SIGSTKFLT and the real-time signals).
//   The handler only records the first one and raises a flag; the library polls the flag (after
//   every split step, between sweep runs) and throws Interrupted, which unwinds through the
//   temporary files. The process then exits 128 + the signal's number (130 for SIGINT, 143 for
//   SIGTERM, 129 for SIGHUP, ...).
// - The same signal again within 0.1 s is the same request delivered twice (timeout(1) signals the
//   command, then its process group; batch systems do likewise) and is ignored. Any later one ends
//   the process at once: every live temporary is removed, then _exit(128 + the first signal).
// - SIGPIPE (the reader of stdout went away): the temporaries are removed and the process ends at
//   once with 128 + 13, as it would without a handler.
// - SIGXFSZ (a file-size limit, ulimit -f) is ignored: the write fails with EFBIG instead, and the
//   command reports "File too large" like any other failed write.
// - A crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS): the temporaries are
//   removed, then the signal takes its previous course (the default core dump, or a sanitizer's
//   report).
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
  /// The signal received (SIGINT, SIGTERM, SIGHUP, ...), or 0.
  int signal() const;
  /// 128 + signal(): the shell's convention for a process ended by that signal. 143 (as for
  /// SIGTERM) when the work was stopped without a signal here (another MPI rank received it).
  int exit_code() const;
  /// "SIGINT", "SIGTERM", ..., or "a signal to another MPI rank".
  std::string signal_name() const;
  /// Throws Interrupted(`what`) if a signal arrived.
  void check(const char* what) const;
};

/// For a worker process that writes nothing its parent keeps (isolated.hpp): from now on every
/// request to stop removes the live temporaries and ends the process at once (_exit(128 + signal)),
/// wherever it is, even blocked inside a library.
void end_at_once_on_signals();

/// "SIGHUP", "SIGTERM", ... ("signal N" for one without a name).
std::string signal_name(int sig);

}  // namespace citsim::cli
