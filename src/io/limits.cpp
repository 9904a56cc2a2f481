// Resource estimates and the machine's limits (see limits.hpp).
#include "citsim/io/limits.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "citsim/model/injury.hpp"
#include "citsim/model/species.hpp"
#include "citsim/model/tissue.hpp"
#include "citsim/numerics/kinetics_stepper.hpp"
#include "citsim/numerics/mobility.hpp"

namespace citsim {

namespace {

namespace fs = std::filesystem;

using u64 = std::uint64_t;

constexpr u64 kDouble = sizeof(double);
constexpr u64 kSpecies = kSpeciesCount;

/// Resident memory of `citsim run` before any grid-sized allocation: the binary, its libraries
/// (HDF5, OpenMP, MPI, toml++) and the parameter tables. Measured: peak RSS of a 0D run is
/// 21.7–22.8 MB (30 and 365 days).
constexpr u64 kProcessBaseBytes = 22'000'000;
/// Doubles per compartment of a closure cell's geometry (area, interface, coupling, boundary, a
/// face of three, edge) in the transport and in the state, with room for the vectors' slack.
constexpr u64 kClosureGeometryDoubles = 2 * 10;
/// Bins of a session's distance histogram: out to where 1e-14 of the area is left, at 1/1000 of
/// the spacing (closure_shells.cpp): ≈ 16 000 for slits, ≈ 3 200 for cylinders.
constexpr u64 kClosureHistogramBins = 16'200;
/// File overhead beyond the datasets: HDF5 superblock and object headers, attributes, the
/// config text and parameter table, session tables (measured: a 0D file of 30 days is ~200 kB).
constexpr u64 kFileBaseBytes = 400'000;
/// Layers the recorder reports (papillary, reticular, hypodermis, dermis; run.cpp).
constexpr u64 kReportedLayers = 4;
/// Doubles a record time adds besides the layer means: 11 readouts, held twice (the recorder's
/// vectors and the result's series), Cutometer intermediates and the time itself.
constexpr u64 kDoublesPerRecord = 2 * 11 + 8 + 1;
/// Bytes of the XDMF sidecar per species and profile time (one <Attribute> block; measured ~560).
constexpr u64 kXdmfBytesPerItem = 700;

/// Multiples of `step` in [0, end] plus one: the count `add_multiples` (run.cpp) yields.
u64 multiples(double end, double step) {
  if (!(step > 0.0) || !(end >= 0.0)) return 1;
  const double n = std::floor(end / step) + 1.0;
  return n >= 1e18 ? u64{1'000'000'000'000'000'000} : static_cast<u64>(n);
}

/// Cells of a uniform line of `length` with cells near `target` (make_uniform_grid and
/// make_field_grid round the same way), without building it.
u64 cells_along(double length, double target) {
  const double n = std::max(1.0, std::round(length / target));
  return n >= 1e12 ? u64{1'000'000'000'000} : static_cast<u64>(n);
}

/// a·b saturating at 2^64-1: absurd grids must give a huge estimate, not wrap to a small one.
u64 mul(u64 a, u64 b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}
u64 add(u64 a, u64 b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

std::optional<u64> read_number_file(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word == "max") return std::nullopt;
  try {
    return std::stoull(word);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// A "Key:   N kB" line of a /proc file, in bytes.
std::optional<u64> proc_kb(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream is(line.substr(key.size() + 1));
      u64 kb = 0;
      if (is >> kb) return kb * 1024;
    }
  return std::nullopt;
}

/// The cgroup v2 directory of this process ("0::/path" in /proc/self/cgroup).
std::optional<std::string> cgroup_dir() {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  return std::nullopt;
}

void take_smaller(std::optional<Capacity>& best, u64 bytes, std::string source) {
  if (!best || bytes < best->bytes) best = Capacity{bytes, std::move(source)};
}

/// The refusal's last words: how to get past it, or that it was got past.
std::string override_note(OnLimit on_limit) {
  return on_limit == OnLimit::Refuse ? fmt::format("; {} proceeds anyway", kIgnoreLimitsFlag)
                                     : fmt::format("; proceeding as {} asks", kIgnoreLimitsFlag);
}

}  // namespace

RunEstimate estimate_run(const RunConfig& cfg) {
  const Parameters& p = cfg.parameters;
  const OutputConfig& o = cfg.output;
  const auto sessions = static_cast<u64>(cfg.protocol.sessions.size());
  const double end = cfg.protocol.end_days;
  RunEstimate e;

  // 1. The grid, counted as the model builds it (run.cpp build_column_model, build_field_model).
  const u64 nz = cfg.level == ModelLevel::ZeroD ? 1 : cells_along(p.z_bottom, cfg.numerics.dz);
  u64 nx = 1, ny = 1;
  if (cfg.level == ModelLevel::TwoD || cfg.level == ModelLevel::ThreeD) {
    const double width = cfg.level == ModelLevel::ThreeD ? p.width_3d : p.width_2d;
    nx = cells_along(width, cfg.numerics.dx);
    if (cfg.level == ModelLevel::ThreeD) ny = nx;
  }
  e.cells = mul(mul(nx, ny), nz);
  // The 1D closure integrates the core and K shells of every depth cell as points of their own.
  const bool closure = cfg.level == ModelLevel::OneD && cfg.numerics.closure != ColumnClosure::MeanField;
  const u64 compartments = closure ? static_cast<u64>(std::max(1, cfg.numerics.closure_shells)) + 1 : 1;
  e.points = mul(e.cells, compartments);
  switch (cfg.level) {
    case ModelLevel::ZeroD: e.grid = "the 0D point"; break;
    case ModelLevel::OneD:
      e.grid = closure ? fmt::format("the 1D column of {} cells × {} compartments ({} points)", nz, compartments, e.points)
                       : fmt::format("the 1D column of {} cells", nz);
      break;
    case ModelLevel::TwoD: e.grid = fmt::format("the 2D grid of {}×{} cells", nx, nz); break;
    case ModelLevel::ThreeD: e.grid = fmt::format("the 3D grid of {}×{}×{} cells", nx, ny, nz); break;
  }

  // 2. Output cadence: every time series row and every profile snapshot (upper bounds: times
  //    that coincide are counted twice).
  e.profile_times = add(multiples(end, o.profile_dt), sessions + 1);
  u64 dense = 0;
  for (const Session& s : cfg.protocol.sessions)
    dense = add(dense, multiples(std::min(o.dense_days, std::max(0.0, end - s.time)), o.dense_dt));
  e.record_times = add(add(e.profile_times, multiples(end, o.dt)), dense);

  // 3. Memory. The model: sites and per-session injury fractions, held by the field model and the
  //    column model copied from it; four states (the state, the kinetics groups' increments, a
  //    step's start and a record interpolated in it); per-cell rates, step history and counts.
  const u64 per_cell_model = 2 * sizeof(Site) + 2 * sessions * sizeof(InjuryFractions) + 4 * kSpecies * kDouble +
                             2 * sizeof(SiteRates) + sizeof(KineticsStepHistory) + 2 * sizeof(std::int64_t);
  e.model_bytes = mul(e.points, per_cell_model);
  if (closure) {
    //  The closure's transport (closure_shell_transport.hpp): an eliminated system for each group
    //  of alike species, two (K+1)² blocks per depth cell and the links' α (at most 2K + 1 per
    //  face); a right-hand side per mobile species; per cell and face the exchange factor of
    //  every distinct D, G, ΔT and the links' velocities. Each cell's compartment geometry
    //  (areas, faces, edges), in the transport and in the state; each session's distance
    //  histogram, at most kClosureHistogramBins bins.
    const std::vector<MobilityGroup> groups = mobility_groups(mobility(p));
    u64 mobile = 0;
    for (const MobilityGroup& g : groups) mobile += g.species.size();
    const auto systems = static_cast<u64>(groups.size());
    const u64 per_system = add(mul(2, mul(compartments, compartments)), mul(2, compartments));
    const u64 per_cell = add(add(mul(systems, per_system), mul(mobile, compartments)),
                             mul(systems + 5, compartments));
    const u64 blocks = mul(nz, per_cell);
    const u64 geometry = mul(mul(nz, compartments), kClosureGeometryDoubles);
    e.model_bytes = add(e.model_bytes, mul(add(blocks, geometry), kDouble));
    e.model_bytes = add(e.model_bytes, mul(mul(sessions, kClosureHistogramBins), kDouble));
  }
  //    The results: depth profiles (or lateral means) and, in 2D/3D, whole fields per profile time.
  const u64 field_values = e.cells > nz ? mul(mul(e.profile_times, e.cells), kSpecies) : 0;
  const u64 profile_values = mul(mul(e.profile_times, nz), kSpecies);
  const u64 series_values = mul(e.record_times, kReportedLayers * (kSpecies + 2) + kDoublesPerRecord);
  e.stored_bytes = mul(add(add(field_values, profile_values), series_values), kDouble);
  //    Peak: the end of the integration, or the file being built (results plus a copy of them).
  e.run_memory_bytes = add(kProcessBaseBytes, add(e.model_bytes, e.stored_bytes));
  e.memory_bytes = std::max(e.run_memory_bytes, add(kProcessBaseBytes, mul(e.stored_bytes, 2)));

  // 4. The file: every dataset uncompressed, and the sidecar of a 2D/3D run.
  const u64 xdmf = e.cells > nz ? mul(mul(e.profile_times, kSpecies), kXdmfBytesPerItem) : 0;
  e.file_bytes = add(add(kFileBaseBytes, e.stored_bytes), xdmf);
  return e;
}

std::optional<Capacity> available_memory() {
  std::optional<Capacity> best;
  if (const auto m = proc_kb("/proc/meminfo", "MemAvailable")) take_smaller(best, *m, "MemAvailable");
  if (const auto dir = cgroup_dir())
    if (const auto max = read_number_file(*dir + "/memory.max")) {
      const u64 used = read_number_file(*dir + "/memory.current").value_or(0);
      take_smaller(best, *max > used ? *max - used : 0, "the cgroup's memory.max");
    }
  rlimit as{};
  if (::getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    const u64 used = proc_kb("/proc/self/status", "VmSize").value_or(0);
    const u64 limit = as.rlim_cur;
    take_smaller(best, limit > used ? limit - used : 0, "RLIMIT_AS, ulimit -v");
  }
  return best;
}

std::optional<Capacity> available_disk(const std::string& output_path) {
  // The nearest existing ancestor: the directories in between are created on the same device.
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(output_path), ec).parent_path();
  while (!dir.empty() && !fs::exists(dir, ec) && dir != dir.root_path()) dir = dir.parent_path();
  std::optional<Capacity> best;
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) == 0)
    take_smaller(best, static_cast<u64>(vfs.f_bavail) * static_cast<u64>(vfs.f_frsize),
                 fmt::format("free on the file system of '{}', statvfs", dir.string()));
  rlimit fsize{};
  if (::getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY)
    take_smaller(best, fsize.rlim_cur, "the file-size limit RLIMIT_FSIZE, ulimit -f");
  return best;
}

std::string format_bytes(u64 bytes) {
  constexpr const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 999.5 && u < 6) {
    v /= 1000.0;
    ++u;
  }
  if (u == 0) return fmt::format("{} B", bytes);
  return v >= 99.5 ? fmt::format("{:.0f} {}", v, units[u])
         : v >= 9.95 ? fmt::format("{:.1f} {}", v, units[u])
                     : fmt::format("{:.2f} {}", v, units[u]);
}

std::optional<std::string> check_memory(const RunConfig& cfg, const RunEstimate& e, int runs_at_once,
                                        OnLimit on_limit) {
  const auto avail = available_memory();
  if (!avail) return std::nullopt;  // nothing to compare with: no refusal on a guess
  const u64 runs = static_cast<u64>(std::max(1, runs_at_once));
  const u64 need = runs > 1 ? mul(e.run_memory_bytes, runs) : e.memory_bytes;
  if (need <= avail->bytes) return std::nullopt;

  // Blame the grid when the model and state alone cannot fit (results scale with it too), else
  // the cadence that drives the results: snapshots of the grid, or record times.
  const u64 fields = e.stored_bytes, model = e.model_bytes;
  const bool field_level = cfg.level == ModelLevel::TwoD || cfg.level == ModelLevel::ThreeD;
  std::string key, value, advice;
  if (model >= fields || mul(model, runs) + kProcessBaseBytes > avail->bytes) {
    key = field_level ? "numerics.dx" : "numerics.dz";
    value = fmt::format("{}", field_level ? cfg.numerics.dx : cfg.numerics.dz);
    advice = field_level ? "raise numerics.dx or numerics.dz, or lower width_2d/width_3d (and raise output.profile_dt)"
                         : e.points > e.cells ? "raise numerics.dz or lower numerics.closure_shells"
                                              : "raise numerics.dz";
  } else if (e.cells > 1 && mul(e.profile_times, e.cells) >= e.record_times) {
    key = "output.profile_dt";
    value = fmt::format("{}", cfg.output.profile_dt);
    advice = fmt::format("raise output.profile_dt (fewer than the {} snapshots) or coarsen the grid", e.profile_times);
  } else {
    key = "output.dt";
    value = fmt::format("{}", cfg.output.dt);
    advice = fmt::format("raise output.dt or output.dense_dt (fewer than the {} record times)", e.record_times);
  }
  const std::string runs_text = runs > 1 ? fmt::format(" × {} runs at once ({} each)", runs, format_bytes(e.run_memory_bytes)) : "";
  const std::string finding =
      fmt::format("{} needs ≈ {} of memory{} ({} model and state, {} of results at {} profile times "
                  "and {} record times); this machine has {} available ({}); {}{}{}",
                  e.grid, format_bytes(need), runs_text, format_bytes(model), format_bytes(fields),
                  e.profile_times, e.record_times, format_bytes(avail->bytes), avail->source, advice,
                  runs > 1 ? ", or run fewer at once (-j)" : "", override_note(on_limit));
  if (on_limit == OnLimit::Warn) return ConfigError::format(cfg.source_path, 0, key, value, finding);
  throw ConfigError(cfg.source_path, 0, key, value, finding);
}

void check_writable(const std::string& output_path) {
  const AtomicFile probe(output_path);  // creates and removes a temporary beside the target
}

std::optional<std::string> check_disk(const std::string& output_path, std::uint64_t bytes, const std::string& what,
                                      const std::string& hint, OnLimit on_limit) {
  const auto avail = available_disk(output_path);
  if (!avail || bytes <= avail->bytes) return std::nullopt;
  std::string finding = fmt::format("{} '{}': {} needs up to ≈ {}; {} available ({}){}{}{}",
                                    on_limit == OnLimit::Refuse ? "cannot write" : "may not fit in", output_path, what,
                                    format_bytes(bytes), format_bytes(avail->bytes), avail->source,
                                    hint.empty() ? "" : "; ", hint, override_note(on_limit));
  if (on_limit == OnLimit::Warn) return finding;
  throw IoError(finding);
}

std::optional<std::string> check_output(const std::string& output_path, std::uint64_t bytes, const std::string& what,
                                        const std::string& hint, OnLimit on_limit) {
  check_writable(output_path);
  return check_disk(output_path, bytes, what, hint, on_limit);
}

}  // namespace citsim
