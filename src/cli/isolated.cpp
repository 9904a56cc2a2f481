#include "isolated.hpp"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
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

std::string list(const std::vector<NamedFile>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f.path;
  return out;
}

/// The child: dies with its parent, stops at once on any signal, writes only into `into`.
[[noreturn]] void be_the_worker(const std::function<int(const AtomicFile*)>& work, const AtomicFile& into,
                                pid_t parent) {
  end_at_once_on_signals();
  // SIGTERM when the parent dies, however it dies (SIGKILL included); its handler removes this
  // process's temporaries, the staged one among them. Checked once after: the parent may be gone
  // already.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::raise(SIGTERM);
  const int code = work(&into);
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(code);  // no second run of the parent's exit handlers
}

}  // namespace

int run_isolated(const std::function<int(const AtomicFile*)>& work, const std::vector<NamedFile>& inputs,
                 const NamedFile& output, const SignalGuard& signals) {
  // 1. The output checked against the inputs, and its temporary, which the child writes into.
  std::optional<AtomicFile> staged;
  try {
    check_files({output}, inputs);
    staged.emplace(output.path);
  } catch (const IoError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kExitBadInput;
  }

  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    staged.reset();
    return work(nullptr);
  }
  if (pid == 0) be_the_worker(work, *staged, parent);

  // 2. Wait. Polled, not blocked: the signal handlers restart system calls, and a signal received
  // here must reach the child (a scheduler signals the process it started, not its children). The
  // child ends at once on a signal; one that does not (stopped, or blocked in the kernel) is
  // killed if it has not ended this long after the signal.
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

  // 3. Only a child that ended with its work complete has written the output: then, and only
  // then, is it renamed into place, here.
  const bool exited = WIFEXITED(status);
  const int code = exited ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // A worker killed outright (after the grace time) may leave its writability probe.
  remove_temporaries_of(staged->resolved_target(), pid);
  if (exited && output_complete(code)) {
    try {
      staged->commit();
    } catch (const IoError& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      return kExitBadInput;
    }
    if (signals.signal() == 0) return code;
    fmt::print(stderr, "citsim: interrupted by {}: the signal came after the work was done; its output is complete\n",
               signals.signal_name());
    return signals.exit_code();
  }
  if (signals.signal() != 0) {
    fmt::print(stderr, "citsim: interrupted by {}: the worker stopped; nothing written\n", signals.signal_name());
    return signals.exit_code();
  }
  if (exited) {
    if (code < 128) return code;  // an error the worker reported itself
    fmt::print(stderr, "citsim: the worker process was stopped by {}; nothing written\n", signal_name(code - 128));
    return code;
  }
  const int sig = WTERMSIG(status);
  if (sig == SIGKILL || sig == SIGINT || sig == SIGTERM) {
    fmt::print(stderr, "citsim: the worker process was ended by {}; nothing written\n", signal_name(sig));
    return 128 + sig;
  }
  fmt::print(stderr,
             "error: reading {} crashed the HDF5 library ({}): a file is damaged in a way libhdf5 does not "
             "check; nothing was written (docs/reliability.md, \"Fuzzing\")\n",
             list(inputs), strsignal(sig));
  return kExitBadInput;
}

}  // namespace citsim::cli
