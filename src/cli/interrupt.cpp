#include "interrupt.hpp"

#include <unistd.h>

#include <csignal>
#include <stdexcept>

#include "citsim/errors.hpp"

namespace citsim::cli {
namespace {

// A signal handler can only reach static storage: these two are the CLI's, never the library's.
// Only lock-free atomics and volatile sig_atomic_t may be touched from a handler.
static_assert(CancelFlag::is_always_lock_free, "the cancellation flag must be lock-free for a signal handler");
CancelFlag g_cancel{false};
volatile std::sig_atomic_t g_signal = 0;
bool g_installed = false;
struct sigaction g_old_int {}, g_old_term {};

extern "C" void on_signal(int sig) {
  if (g_signal != 0) {
    // Second signal while cleaning up: leave now (write and _exit are async-signal-safe).
    constexpr char msg[] = "citsim: second signal, exiting at once\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(128 + sig);
  }
  g_signal = sig;
  g_cancel.store(true, std::memory_order_relaxed);
}

}  // namespace

SignalGuard::SignalGuard() {
  if (g_installed) throw std::logic_error("SignalGuard: handlers already installed");
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // system calls resume; the flag is polled, not waited for
  if (sigaction(SIGINT, &sa, &g_old_int) != 0 || sigaction(SIGTERM, &sa, &g_old_term) != 0)
    throw std::runtime_error("sigaction failed: cannot install the SIGINT/SIGTERM handlers");
  g_installed = true;
}

SignalGuard::~SignalGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  g_installed = false;
}

const CancelFlag* SignalGuard::flag() const { return &g_cancel; }

int SignalGuard::signal() const { return g_signal; }

int SignalGuard::exit_code() const { return 128 + (g_signal != 0 ? g_signal : SIGTERM); }

std::string SignalGuard::signal_name() const {
  switch (g_signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case 0: return "a signal to another MPI rank";
    default: return "signal " + std::to_string(g_signal);
  }
}

void SignalGuard::check(const char* what) const { throw_if_cancelled(&g_cancel, what); }

}  // namespace citsim::cli
