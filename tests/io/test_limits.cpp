// Limits before work (include/citsim/io/limits.hpp): estimates that scale with the grid and the
// output cadence, never wrap for absurd configs, agree with a real run (peak RSS and file size,
// measured on the citsim binary), and refusals that name the key, the estimate and the limit.
#include "citsim/io/limits.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"

#ifndef CITSIM_BINARY
#define CITSIM_BINARY "citsim"
#endif

using namespace citsim;

namespace {

namespace fs = std::filesystem;

RunConfig config_of(const std::vector<std::string>& sets) { return parse_config("", "limits.toml", sets); }

/// Peak RSS [bytes] of `citsim ARGS...` run as a child, and its exit status.
struct ChildRun {
  int status = -1;
  std::uint64_t max_rss = 0;
};
ChildRun run_citsim(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string binary = CITSIM_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, static_cast<std::uint64_t>(usage.ru_maxrss) * 1024};
}

/// The message of the IoError that `f` throws ("(no IoError)" if none).
template <class F>
std::string io_error_of(F f) {
  try {
    f();
  } catch (const citsim::IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

}  // namespace

TEST_CASE("limits: the grid is counted as the model builds it", "[io][limits]") {
  const RunEstimate zero = estimate_run(config_of({"model.level=0d"}));
  CHECK(zero.cells == 1);
  CHECK(zero.grid == "the 0D point");
  const RunEstimate one = estimate_run(config_of({"numerics.dz=0.1", "numerics.closure=mean-field"}));  // 29 cells
  CHECK(one.cells == 29);
  CHECK(one.grid == "the 1D column of 29 cells");
  const RunEstimate two = estimate_run(config_of({"model.level=2d", "numerics.dz=0.1", "numerics.dx=0.1"}));
  CHECK(two.cells == 40 * 29);  // width_2d 4 mm
  CHECK(two.grid == "the 2D grid of 40×29 cells");
  const RunEstimate three = estimate_run(config_of({"model.level=3d", "numerics.dz=0.1", "numerics.dx=0.1"}));
  CHECK(three.cells == 20 * 20 * 29);  // width_3d 2 mm
  CHECK(three.grid == "the 3D grid of 20×20×29 cells");
}

TEST_CASE("limits: the 1D closure counts every compartment as a point", "[io][limits]") {
  const RunEstimate mean = estimate_run(config_of({"numerics.closure=mean-field"}));
  CHECK(mean.points == mean.cells);
  const RunEstimate k64 = estimate_run(config_of({"numerics.closure=core-surround", "numerics.closure_shells=64"}));
  CHECK(k64.cells == 116);
  CHECK(k64.points == 116 * 65);
  CHECK(k64.grid == "the 1D column of 116 cells × 65 compartments (7540 points)");
  const RunEstimate k8 = estimate_run(config_of({"numerics.closure=core-surround", "numerics.closure_shells=8"}));
  CHECK(k8.points == 116 * 9);
  // Per point at least what the mean field holds per cell, and the transport's blocks grow as K².
  CHECK(k8.model_bytes > 9 * mean.model_bytes);
  CHECK(k64.model_bytes > 7 * k8.model_bytes);
  CHECK(k64.model_bytes > 116 * 3 * 65 * 65 * sizeof(double));
  CHECK(k64.stored_bytes == mean.stored_bytes);  // the readouts see the lateral mean
}

TEST_CASE("limits: a 64-shell closure's estimate holds its real peak", "[io][limits]") {
#if defined(__SANITIZE_ADDRESS__)  // AddressSanitizer's shadow memory and redzones inflate RSS
  SUCCEED("peak RSS is not the program's own under AddressSanitizer: checked by the release suite");
  return;
#endif
  const fs::path dir = fs::temp_directory_path() / fmt::format("citsim_limits_closure_{}", ::getpid());
  fs::create_directories(dir);
  // A quarter of an hour: the peak is the model's, set up before the first step, and the run
  // stays short under the sanitizers.
  const std::vector<std::string> sets = {"numerics.closure=core-surround", "numerics.closure_shells=64",
                                         "protocol.series.count=1", "protocol.end_days=0.01",
                                         "output.dt=0.005", "output.dense_days=0", "output.profile_dt=0.01"};
  RunConfig cfg = config_of(sets);
  const RunEstimate e = estimate_run(cfg);
  std::vector<std::string> args = {"run", std::string(CITSIM_SOURCE_DIR) + "/configs/default.toml", "-q", "-j", "1",
                                   "-o", (dir / "k64.h5").string()};
  for (const std::string& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  const ChildRun r = run_citsim(args);
  fs::remove_all(dir);
  REQUIRE(r.status == 0);
  // The estimate is an upper bound of the peak, and not a wild one.
  INFO("peak RSS " << r.max_rss << " B, estimated " << e.memory_bytes << " B");
  CHECK(r.max_rss <= e.memory_bytes);
  CHECK(e.memory_bytes < 4 * r.max_rss);
}

TEST_CASE("limits: memory and file grow with cells and with snapshots", "[io][limits]") {
  const RunEstimate coarse = estimate_run(config_of({"model.level=2d", "numerics.dx=0.1"}));
  const RunEstimate fine = estimate_run(config_of({"model.level=2d", "numerics.dx=0.05"}));
  CHECK(fine.cells == 2 * coarse.cells);
  CHECK(fine.model_bytes == 2 * coarse.model_bytes);
  CHECK(fine.stored_bytes > 1.9 * static_cast<double>(coarse.stored_bytes));
  CHECK(fine.file_bytes > coarse.file_bytes);
  const RunEstimate dense = estimate_run(config_of({"model.level=2d", "numerics.dx=0.1", "output.profile_dt=1"}));
  CHECK(dense.profile_times > 5 * coarse.profile_times);
  CHECK(dense.stored_bytes > 5 * coarse.stored_bytes);
  CHECK(dense.model_bytes == coarse.model_bytes);
  // The peak is at least the results held twice while the file is built.
  CHECK(dense.memory_bytes >= 2 * dense.stored_bytes);
  CHECK(dense.run_memory_bytes >= dense.model_bytes + dense.stored_bytes);
}

TEST_CASE("limits: absurd grids and cadences give huge estimates, never wrapped ones", "[io][limits]") {
  const RunEstimate e = estimate_run(config_of({"model.level=3d", "numerics.dx=1e-9", "numerics.dz=1e-9"}));
  CHECK(e.memory_bytes > std::uint64_t{1} << 62);
  CHECK(e.file_bytes > std::uint64_t{1} << 62);
  const RunEstimate t = estimate_run(config_of({"model.level=0d", "output.dt=1e-12"}));
  CHECK(t.record_times > std::uint64_t{1} << 40);
  CHECK(t.memory_bytes > std::uint64_t{1} << 40);
}

TEST_CASE("limits: a grid beyond the machine is refused naming the key, estimate and limit", "[io][limits]") {
  const auto avail = available_memory();
  REQUIRE(avail);  // Linux: /proc/meminfo has MemAvailable
  CHECK(avail->bytes > 0);
  const RunConfig cfg = config_of({"model.level=3d", "numerics.dx=0.0005"});  // 4000×4000×116 cells
  const RunEstimate e = estimate_run(cfg);
  REQUIRE(e.memory_bytes > avail->bytes);
  try {
    check_memory(cfg, e);
    FAIL("no refusal");
  } catch (const ConfigError& err) {
    const std::string m = err.what();
    CHECK_THAT(m, Catch::Matchers::StartsWith("limits.toml: key 'numerics.dx' = 0.0005: the 3D grid of 4000×4000×116 cells "
                                              "needs ≈ "));
    CHECK_THAT(m, Catch::Matchers::Contains(format_bytes(e.memory_bytes) + " of memory"));
    CHECK_THAT(m, Catch::Matchers::Contains("available (" + avail->source + ")"));
    CHECK_THAT(m, Catch::Matchers::Contains("raise numerics.dx"));
  }
  // Many records, a small grid: the cadence is blamed.
  const RunConfig cadence = config_of({"model.level=0d", "output.dt=1e-9"});
  CHECK_THROWS_WITH(check_memory(cadence, estimate_run(cadence)), Catch::Matchers::Contains("key 'output.dt' = 1e-09"));
  // The default 1D run fits anywhere citsim runs; eight at once as well.
  const RunConfig ok = config_of({});
  CHECK_NOTHROW(check_memory(ok, estimate_run(ok), 8));
}

TEST_CASE("limits: --ignore-limits turns a refusal into the same finding, returned", "[io][limits]") {
  // Memory: the refusal names the flag; under Warn the same check returns its text instead.
  const RunConfig big = config_of({"model.level=3d", "numerics.dx=0.0005"});
  const RunEstimate e = estimate_run(big);
  std::string refusal;
  try {
    check_memory(big, e);
  } catch (const ConfigError& err) {
    refusal = err.what();
  }
  CHECK_THAT(refusal, Catch::Matchers::EndsWith("; --ignore-limits proceeds anyway"));
  const auto warned = check_memory(big, e, 1, OnLimit::Warn);
  REQUIRE(warned);
  CHECK_THAT(*warned, Catch::Matchers::EndsWith("; proceeding as --ignore-limits asks"));
  // Everything before the last clause is the refusal's text: the key, the estimate and the limit.
  CHECK(warned->substr(0, warned->rfind("; ")) == refusal.substr(0, refusal.rfind("; ")));
  const RunConfig ok = config_of({});
  CHECK_FALSE(check_memory(ok, estimate_run(ok), 1, OnLimit::Warn));  // nothing to warn about

  // Disk: the same, and check_output still refuses what cannot be written at all.
  const std::string out = (fs::temp_directory_path() / "citsim_limits_warn.h5").string();
  CHECK_THAT(io_error_of([&] { check_disk(out, UINT64_MAX, "the run's file", "choose another -o"); }),
             Catch::Matchers::EndsWith("choose another -o; --ignore-limits proceeds anyway"));
  const auto disk = check_disk(out, UINT64_MAX, "the run's file", "choose another -o", OnLimit::Warn);
  REQUIRE(disk);
  CHECK_THAT(*disk, Catch::Matchers::StartsWith("may not fit in '" + out + "': the run's file needs up to ≈ 18.4 EB; ") &&
                        Catch::Matchers::EndsWith("; proceeding as --ignore-limits asks"));
  CHECK_FALSE(check_disk(out, 1, "a file", "", OnLimit::Warn));
  CHECK_THROWS_AS(check_output("/dev/full", UINT64_MAX, "a file", "", OnLimit::Warn), IoError);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("limits: bytes in decimal units with three significant digits", "[io][limits]") {
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(999) == "999 B");
  CHECK(format_bytes(1000) == "1.00 kB");
  CHECK(format_bytes(12'345) == "12.3 kB");
  CHECK(format_bytes(412'000'000) == "412 MB");
  CHECK(format_bytes(85'300'000'000) == "85.3 GB");
  CHECK(format_bytes(UINT64_MAX) == "18.4 EB");
}

TEST_CASE("limits: free space of the output's file system, and refusals beyond it", "[io][limits]") {
  const fs::path dir = fs::temp_directory_path();
  const std::string out = (dir / "citsim_limits_not_created" / "deeper" / "x.h5").string();
  const auto disk = available_disk(out);  // nearest existing ancestor: the temp directory
  REQUIRE(disk);
  CHECK(disk->bytes > 0);
  CHECK_THAT(disk->source, Catch::Matchers::Contains("statvfs"));
  CHECK_FALSE(fs::exists(dir / "citsim_limits_not_created"));  // checking writes nothing
  CHECK_NOTHROW(check_disk(out, 1, "a file", ""));
  CHECK_THAT(io_error_of([&] { check_disk(out, UINT64_MAX, "the run's file", "choose another -o"); }), Catch::Matchers::Contains("cannot write '" + out + "': the run's file needs up to ≈ 18.4 EB; ") &&
                           Catch::Matchers::Contains("choose another -o"));
  CHECK_FALSE(fs::exists(dir / "citsim_limits_not_created"));
}

TEST_CASE("limits: a file-size limit counts as the disk", "[io][limits]") {
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  rlimit small = saved;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  const auto disk = available_disk((fs::temp_directory_path() / "x.h5").string());
  ::setrlimit(RLIMIT_FSIZE, &saved);
  REQUIRE(disk);
  CHECK(disk->bytes == 4096);
  CHECK_THAT(disk->source, Catch::Matchers::Contains("RLIMIT_FSIZE"));
}

// The estimate against the real thing: `citsim run` of a 2D course whose stored fields dominate
// and of a 3D patch whose model and state dominate, measured by the kernel (ru_maxrss of the
// child) and by the file's size. Stated factors: memory within [0.5, 2] of the measured peak; the
// file never above the estimate (an uncompressed bound), and for a course of sessions within 3×
// of it (deflate gains little once channels have roughened the fields; a short run near rest
// compresses far more, so only the bound is checked there).
TEST_CASE("limits: estimates agree with a measured run (peak RSS, file size)", "[io][limits][measured]") {
  const fs::path dir = fs::temp_directory_path() / fmt::format("citsim_limits_{}", ::getpid());
  fs::create_directories(dir);
  struct Case {
    std::string name;
    std::vector<std::string> sets;
    double file_factor;  ///< the bound may exceed the file by this factor at most
  };
  const std::vector<Case> cases = {
      {"2d_course", {"model.level=2d", "numerics.dx=0.1", "numerics.dz=0.1", "protocol.series.count=3",
                     "protocol.end_days=84", "output.profile_dt=2"}, 3.0},
      {"3d_state", {"model.level=3d", "numerics.dx=0.05", "numerics.dz=0.05", "protocol.series.count=1",
                    "protocol.end_days=2", "output.profile_dt=7"}, 0.0},
  };
  for (const Case& c : cases) {
    const std::string config = (fs::path(CITSIM_SOURCE_DIR) / "configs/default.toml").string();
    RunConfig cfg = load_config(config, c.sets);
    const RunEstimate e = estimate_run(cfg);
    const std::string out = (dir / (c.name + ".h5")).string();
    std::vector<std::string> args = {"run", config, "-o", out, "--quiet", "-j", "1"};
    for (const std::string& s : c.sets) args.insert(args.end(), {"--set", s});
    const ChildRun r = run_citsim(args);
    REQUIRE(r.status == 0);
    const auto file = fs::file_size(out);
    INFO(c.name << ": estimate " << format_bytes(e.memory_bytes) << " memory, " << format_bytes(e.file_bytes)
                << " file; measured " << format_bytes(r.max_rss) << " peak RSS, " << format_bytes(file) << " file; "
                << e.grid);
    const double memory_ratio = static_cast<double>(e.memory_bytes) / static_cast<double>(r.max_rss);
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer's shadow memory and redzones inflate RSS
    CHECK(memory_ratio >= 0.5);
#endif
    CHECK(memory_ratio <= 2.0);
    CHECK(file <= e.file_bytes);
    if (c.file_factor > 0.0) CHECK(static_cast<double>(e.file_bytes) <= c.file_factor * static_cast<double>(file));
  }
  fs::remove_all(dir);
}
