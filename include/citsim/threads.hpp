// How many threads citsim may start: one rule for `-j` (run, sweep, sensitivity), OMP_NUM_THREADS
// and the sweep's own threads. Results never depend on the count, so more threads than the
// machine has gain nothing; far beyond it they exhaust the process's limits, where OpenMP crashes
// (`run -j 100000` in 2D) and std::thread throws (`sweep -j 100000`). Counts are therefore bounded
// by the machine, and a thread that still cannot be started is an error, not an abort.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <system_error>

#include "citsim/errors.hpp"

namespace citsim {

/// Threads allowed per hardware thread of the machine.
inline constexpr int kThreadsPerHardwareThread = 4;
/// The most threads on any machine.
inline constexpr int kMaxThreads = 1024;

/// kThreadsPerHardwareThread × the machine's hardware threads (1 if unknown), at most kMaxThreads.
int max_threads();

/// Whether 1 <= n <= max_threads().
bool thread_count_allowed(std::int64_t n);

/// The allowed counts, for messages: "1..8 (4 per hardware thread; this machine has 2)".
std::string thread_count_rule();

/// OMP_NUM_THREADS, if set and not empty, must hold allowed counts (OpenMP reads a list, "4,2",
/// one count per nesting level); throws ConfigError naming the variable, its value and the rule.
/// `getenv` is injectable for tests.
void check_omp_num_threads(const std::function<const char*(const char*)>& getenv = std::getenv);

/// The error for a thread that could not be started (std::system_error from std::thread, when
/// the process's thread, memory or stack limits run out): a ConfigError blamed on --threads that
/// says how many were started of how many, why, and which limits to look at.
ConfigError thread_start_failure(int started, int wanted, const std::system_error& error);

}  // namespace citsim
