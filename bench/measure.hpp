// What every benchmark executable reports about itself: CPU time, peak memory, and lists of
// timings as JSON (the harness, bench/py/run_bench.py, reads one JSON object per line).
#pragma once

#include <time.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace citsim::bench {

/// CPU time of this process, all threads [s]; -1 if the clock cannot be read.
inline double process_cpu_seconds() {
  timespec ts{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return -1.0;
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Peak resident set size of this process [KiB] (VmHWM in /proc/self/status); -1 if unknown.
inline long vm_hwm_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

/// `[a, b, ...]` with nine significant digits.
inline std::string json_list(const std::vector<double>& v) {
  std::ostringstream o;
  o.precision(9);
  o << '[';
  for (std::size_t i = 0; i < v.size(); ++i) o << (i ? ", " : "") << v[i];
  o << ']';
  return o.str();
}

}  // namespace citsim::bench
