#include "interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"

namespace citsim::cli {
namespace {

// A signal handler can only reach static storage: these are the CLI's, never the library's. Only
// lock-free atomics, volatile sig_atomic_t and the saved actions (written before any handler is
// installed) are touched from a handler.
static_assert(CancelFlag::is_always_lock_free, "the cancellation flag must be lock-free for a signal handler");
static_assert(std::atomic<std::int64_t>::is_always_lock_free, "the signal time must be lock-free for a handler");
CancelFlag g_cancel{false};
volatile std::sig_atomic_t g_signal = 0;
std::atomic<std::int64_t> g_first_ns{0};
bool g_installed = false;
struct sigaction g_old[NSIG] {};
bool g_taken[NSIG] = {};

/// A signal repeated within this time of the first is one request delivered twice.
constexpr std::int64_t kSameRequestNs = 100'000'000;

// Keyboard and termination signals citsim always takes over, even when inherited as ignored: a
// non-interactive shell starts background commands with SIGINT and SIGQUIT ignored, and scripts
// and schedulers still expect them to stop the command.
constexpr int kAlwaysStop[] = {SIGINT, SIGQUIT, SIGTERM};
// Requests to stop taken over only from their default action, which ends the process: an ignored
// one (nohup ignores SIGHUP) stays ignored, and a profiler's or a sanitizer's handler stays.
constexpr int kStopIfDefault[] = {SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGIO, SIGPWR,
#ifdef SIGSTKFLT
                                  SIGSTKFLT,
#endif
};
constexpr int kCrashes[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void say(const char* text) {
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, text, std::strlen(text));
}

extern "C" void on_stop_request(int sig) {
  const int first = g_signal;
  if (first == 0) {
    g_first_ns.store(now_ns(), std::memory_order_relaxed);
    g_signal = sig;
    g_cancel.store(true, std::memory_order_relaxed);
    return;
  }
  if (sig == first && now_ns() - g_first_ns.load(std::memory_order_relaxed) < kSameRequestNs) return;
  // Another signal while the first is handled: leave now, leaving no temporary behind.
  remove_live_temporaries();
  say("citsim: second signal, exiting at once (temporary files removed)\n");
  ::_exit(128 + first);
}

extern "C" void on_signal_end_at_once(int sig) {
  remove_live_temporaries();
  ::_exit(128 + sig);
}

extern "C" void on_crash(int sig, siginfo_t* info, void*) {
  remove_live_temporaries();
  ::sigaction(sig, &g_old[sig], nullptr);
  // Sent by kill(2), raise(3) or abort(3): send it again, to be delivered with the previous action
  // when this handler returns. A fault (si_code > 0) recurs by itself when the instruction runs
  // again, now with the previous action and the true context (a core dump, a sanitizer's report).
  if (info == nullptr || info->si_code <= 0) ::raise(sig);
}

bool is_default(int sig) {
  struct sigaction current {};
  return ::sigaction(sig, nullptr, &current) == 0 && (current.sa_flags & SA_SIGINFO) == 0 &&
         current.sa_handler == SIG_DFL;
}

void take(int sig, void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigfillset(&sa.sa_mask);   // one handler at a time in a thread
  sa.sa_flags = SA_RESTART;  // system calls resume; the flag is polled, not waited for
  if (::sigaction(sig, &sa, &g_old[sig]) != 0)
    throw std::runtime_error("sigaction failed: cannot install the signal handlers");
  g_taken[sig] = true;
}

void take_crash(int sig) {
  struct sigaction sa {};
  sa.sa_sigaction = on_crash;
  sigfillset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO;
  if (::sigaction(sig, &sa, &g_old[sig]) != 0)
    throw std::runtime_error("sigaction failed: cannot install the signal handlers");
  g_taken[sig] = true;
}

}  // namespace

SignalGuard::SignalGuard() {
  if (g_installed) throw std::logic_error("SignalGuard: handlers already installed");
  for (int sig : kAlwaysStop) take(sig, on_stop_request);
  for (int sig : kStopIfDefault)
    if (is_default(sig)) take(sig, on_stop_request);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig)
    if (is_default(sig)) take(sig, on_stop_request);
  if (is_default(SIGPIPE)) take(SIGPIPE, on_signal_end_at_once);
  if (is_default(SIGXFSZ)) take(SIGXFSZ, SIG_IGN);
  for (int sig : kCrashes)
    if (is_default(sig)) take_crash(sig);
  g_installed = true;
}

SignalGuard::~SignalGuard() {
  for (int sig = 1; sig < NSIG; ++sig)
    if (g_taken[sig]) {
      ::sigaction(sig, &g_old[sig], nullptr);
      g_taken[sig] = false;
    }
  g_installed = false;
}

const CancelFlag* SignalGuard::flag() const { return &g_cancel; }

int SignalGuard::signal() const { return g_signal; }

int SignalGuard::exit_code() const { return 128 + (g_signal != 0 ? g_signal : SIGTERM); }

std::string SignalGuard::signal_name() const {
  return g_signal == 0 ? "a signal to another MPI rank" : cli::signal_name(g_signal);
}

void SignalGuard::check(const char* what) const { throw_if_cancelled(&g_cancel, what); }

void end_at_once_on_signals() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (!g_taken[sig]) continue;
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) != 0 || current.sa_handler != on_stop_request) continue;
    struct sigaction sa {};
    sa.sa_handler = on_signal_end_at_once;
    sigfillset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

std::string signal_name(int sig) {
  if (sig == SIGRTMIN) return "SIGRTMIN";
  if (sig == SIGRTMAX) return "SIGRTMAX";
  if (sig > SIGRTMIN && sig < SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
  if (const char* abbrev = ::sigabbrev_np(sig)) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(sig);
}

}  // namespace citsim::cli
