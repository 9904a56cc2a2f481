// The bound on thread counts (see threads.hpp).
#include "citsim/threads.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <thread>

namespace citsim {
namespace {

int hardware_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

}  // namespace

int max_threads() { return std::min(kMaxThreads, kThreadsPerHardwareThread * hardware_threads()); }

bool thread_count_allowed(std::int64_t n) { return n >= 1 && n <= max_threads(); }

std::string thread_count_rule() {
  return fmt::format("1..{} ({} per hardware thread; this machine has {})", max_threads(),
                     kThreadsPerHardwareThread, hardware_threads());
}

void check_omp_num_threads(const std::function<const char*(const char*)>& getenv) {
  const char* value = getenv("OMP_NUM_THREADS");
  if (value == nullptr || *value == '\0') return;
  const std::string_view text(value);
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (ec != std::errc() || end != item.data() + item.size() || !thread_count_allowed(n))
      throw ConfigError("OMP_NUM_THREADS", 0, "", std::string(text),
                        fmt::format("each count must be a whole number in {}; unset it, or use -j", thread_count_rule()));
    start = comma + 1;
  }
}

ConfigError thread_start_failure(int started, int wanted, const std::system_error& error) {
  return ConfigError("--threads", 0, "", "",
                     fmt::format("could start only {} of {} threads ({}): the process's limits on threads, "
                                 "memory or stack (ulimit -u, -v, -s; the cgroup's pids.max) allow fewer; use a "
                                 "smaller -j",
                                 started, wanted, error.code().message()));
}

}  // namespace citsim
