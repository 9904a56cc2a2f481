// Limits checked before work starts: what a run will need (memory, disk) estimated from its config
// alone, what this machine and this process have (MemAvailable, the cgroup's memory.max,
// RLIMIT_AS; statvfs of the output's file system, RLIMIT_FSIZE), and refusals that name both
// numbers and what to change. Nothing is allocated in proportion to the grid, so an absurd config
// costs nothing to refuse.
//
// The memory estimate is the peak resident set of `citsim run`: the model (sites, per-session
// injury fractions: held twice, the field model and the column model built from it), the state and
// per-cell integrator data, the stored fields at every profile time, and, while the file is
// written, one more copy of the fields. The file estimate is an upper bound: every dataset
// uncompressed (the fields and profiles are deflated, so real files are smaller).
//
// A refusal can be overridden (`--ignore-limits`): the checks still run, and what they found is
// handed back to be shown as a warning instead of thrown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "citsim/io/config.hpp"

namespace citsim {

struct RunEstimate {
  std::string grid;                  ///< "the 3D grid of 100×100×116 cells", "the 1D column of 116 cells"
  std::uint64_t cells = 0;           ///< grid cells (0D: 1)
  std::uint64_t points = 0;          ///< points the kinetics integrate: cells, × (K + 1) in the 1D closure
  std::uint64_t record_times = 0;    ///< rows of the time series
  std::uint64_t profile_times = 0;   ///< snapshots of profiles (and of fields in 2D/3D)
  std::uint64_t model_bytes = 0;     ///< model, state and integrator data
  std::uint64_t stored_bytes = 0;    ///< the run's results in memory (fields, profiles, series)
  std::uint64_t memory_bytes = 0;    ///< estimated peak resident memory of `citsim run`
  std::uint64_t run_memory_bytes = 0;///< the same without writing a file (a run inside a sweep)
  std::uint64_t file_bytes = 0;      ///< the HDF5 file and its XDMF sidecar, uncompressed bound
};

/// What the run `config` will need. Never throws for a config that parsed.
RunEstimate estimate_run(const RunConfig& config);

/// An amount available and where it was read ("MemAvailable", "RLIMIT_AS (ulimit -v)", ...).
struct Capacity {
  std::uint64_t bytes = 0;
  std::string source;
};

/// The least of MemAvailable (/proc/meminfo), the cgroup's memory.max minus memory.current and
/// RLIMIT_AS minus the address space in use; nullopt if none can be read.
std::optional<Capacity> available_memory();

/// Free space for an unprivileged writer on the file system that `output_path` would be written to
/// (statvfs of its nearest existing ancestor), and RLIMIT_FSIZE if it is smaller.
std::optional<Capacity> available_disk(const std::string& output_path);

/// "85.3 GB", "412 MB", "12.0 kB" (decimal units, three significant digits).
std::string format_bytes(std::uint64_t bytes);

/// What a limit check does when the need exceeds what is available.
enum class OnLimit {
  Refuse,  ///< throw; the message ends by naming --ignore-limits
  Warn,    ///< return the finding (the same text) and let the work proceed
};

/// The command-line flag that turns refusals into warnings; refusals name it.
inline constexpr const char* kIgnoreLimitsFlag = "--ignore-limits";

/// Refuses a run whose memory estimate exceeds the available memory: ConfigError naming the
/// config, the key to change (numerics.dx, numerics.dz or output.profile_dt) and both numbers.
/// `runs_at_once` runs share the machine (sweep and sensitivity threads). With OnLimit::Warn the
/// finding is returned instead; nullopt when the run fits (or nothing can be read).
std::optional<std::string> check_memory(const RunConfig& config, const RunEstimate& estimate, int runs_at_once = 1,
                                        OnLimit on_limit = OnLimit::Refuse);

/// Refuses an output that cannot be written, before any work: IoError if its directory cannot be
/// created or written, or it is a directory or a device (creates and removes a temporary beside
/// it; missing parent directories are created).
void check_writable(const std::string& output_path);

/// Refuses `bytes` that exceed the free space or the file-size limit (IoError naming the path,
/// both numbers and where the limit was read). `what` names the file ("the run's file"); `hint`
/// says what to change. Writes nothing. With OnLimit::Warn the finding is returned instead.
std::optional<std::string> check_disk(const std::string& output_path, std::uint64_t bytes, const std::string& what,
                                      const std::string& hint, OnLimit on_limit = OnLimit::Refuse);

/// check_writable (never overridden: an unwritable output is an error, not an estimate), then
/// check_disk.
std::optional<std::string> check_output(const std::string& output_path, std::uint64_t bytes, const std::string& what,
                                        const std::string& hint, OnLimit on_limit = OnLimit::Refuse);

}  // namespace citsim
