#include "isolated.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "commands.hpp"

namespace citsim::cli {
namespace {

namespace fs = std::filesystem;

/// Removes what an AtomicFile of process `pid` left beside `output` ("OUT.tmp-PID-N").
void remove_temporaries_of(const std::string& output, pid_t pid) {
  if (output.empty()) return;
  const fs::path target(output);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = fmt::format("{}.tmp-{}-", target.filename().string(), pid);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().starts_with(prefix)) fs::remove(it->path(), ec);
}

std::string list(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f;
  return out;
}

}  // namespace

int run_isolated(const std::function<int()>& work, const std::vector<std::string>& inputs,
                 const std::string& output, const SignalGuard& signals) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) return work();
  if (pid == 0) {
    const int code = work();
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(code);  // no second run of the parent's exit handlers
  }

  // Polled, not blocked: the signal handlers restart system calls, and a signal received here
  // must reach the child (a scheduler signals the process it started, not its children).
  // A child stuck inside libhdf5 (a damaged heap can make it loop) never polls the flag: it is
  // killed if it has not stopped this long after the signal.
  constexpr auto kGrace = std::chrono::seconds(5);
  std::chrono::steady_clock::time_point forwarded{};
  bool killed = false;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      fmt::print(stderr, "error: lost the worker process: {}\n", std::strerror(errno));
      return kExitBadInput;
    }
    if (signals.signal() != 0) {
      const auto now = std::chrono::steady_clock::now();
      if (forwarded == std::chrono::steady_clock::time_point{}) {
        ::kill(pid, signals.signal());
        forwarded = now;
      } else if (!killed && now - forwarded > kGrace) {
        ::kill(pid, SIGKILL);
        killed = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);

  const int sig = WTERMSIG(status);
  remove_temporaries_of(output, pid);
  if (signals.signal() != 0) {
    fmt::print(stderr, "citsim: interrupted by {}: the worker stopped; nothing written\n", signals.signal_name());
    return signals.exit_code();
  }
  if (sig == SIGKILL || sig == SIGINT || sig == SIGTERM) return 128 + sig;
  fmt::print(stderr,
             "error: reading {} crashed the HDF5 library ({}): a file is damaged in a way libhdf5 does not "
             "check; nothing was written (docs/reliability.md, \"Fuzzing\")\n",
             list(inputs), strsignal(sig));
  return kExitBadInput;
}

}  // namespace citsim::cli
