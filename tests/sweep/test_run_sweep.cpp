// Tests for include/citsim/sweep/run_sweep.hpp: a sweep runs to its file, says what it will do
// before the first run, resumes after an interruption to the same numbers, finds a finished file
// complete, refuses a file of another sweep, and leaves nothing but its file behind.
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/sweep/run_sweep.hpp"
#include "citsim/sweep/store.hpp"
#include "fixtures.hpp"

using namespace citsim;
using namespace citsim::sweep;
using citsim::sweep::testing::SweepDir;
using citsim::sweep::testing::read_doubles;
using citsim::sweep::testing::same_bits;
namespace fs = std::filesystem;

namespace {

/// The files in `dir` besides the spec and its base.
std::vector<std::string> outputs_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != "spec.toml" && e.path().filename() != "base.toml")
      names.push_back(e.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("a sweep runs to its file and is found complete the next time", "[sweep][run_sweep]") {
  const SweepDir dir("run_sweep");
  const SweepPlan plan = dir.plan(testing::kGrid3x3);
  SweepOptions o;
  o.output = dir.file("nd.h5");
  o.threads = 2;
  std::vector<SweepStart> starts;
  std::int64_t last_done = 0, calls = 0;
  SweepHooks hooks;
  hooks.start = [&](const SweepStart& s) {
    REQUIRE(s.layout != nullptr);
    CHECK(s.layout->rows() == 9);
    starts.push_back(s);
  };
  hooks.progress = [&](std::int64_t done, std::int64_t to_do) {
    CHECK(done == last_done + 1);
    CHECK(to_do == 9);
    last_done = done;
    ++calls;
  };
  const SweepSummary s = run_sweep(plan, o, hooks);
  CHECK(s.path == o.output);
  CHECK_FALSE(s.was_complete);
  CHECK(s.done == 9);
  CHECK(s.ok == 9);
  CHECK(s.failed == 0);
  CHECK(calls == 9);
  REQUIRE(starts.size() == 1);
  CHECK_FALSE(starts[0].complete);
  CHECK(starts[0].already_done == 0);
  CHECK(starts[0].to_do == 9);
  CHECK(outputs_in(dir.path) == std::vector<std::string>{"nd.h5"});  // no work file, no lock file

  const SweepSummary again = run_sweep(plan, o, hooks);
  CHECK(again.was_complete);
  CHECK(again.done == 0);
  CHECK(again.ok == 9);
  REQUIRE(starts.size() == 2);
  CHECK(starts[1].complete);

  // restart runs it all again, to the same numbers
  o.restart = true;
  const std::vector<double> before = read_doubles(o.output, "/sweep/outcomes");
  CHECK(run_sweep(plan, o).done == 9);
  CHECK(same_bits(before, read_doubles(o.output, "/sweep/outcomes")));
}

TEST_CASE("an interrupted sweep resumes to the numbers of one that was not", "[sweep][run_sweep]") {
  const SweepDir dir("run_sweep_resume");
  const SweepPlan plan = dir.plan(testing::kGrid3x3);
  SweepOptions whole;
  whole.output = dir.file("whole.h5");
  run_sweep(plan, whole);

  SweepOptions o;
  o.output = dir.file("nd.h5");
  CancelFlag cancel{false};
  SweepHooks stop_after_four;
  stop_after_four.progress = [&](std::int64_t done, std::int64_t) {
    if (done == 4) cancel = true;
  };
  CHECK_THROWS_WITH(run_sweep(plan, o, stop_after_four, &cancel), "4 of 9 runs done (4 in this session)");
  CHECK_FALSE(fs::exists(o.output));
  CHECK(fs::exists(o.output + ".partial"));

  cancel = false;
  std::int64_t already = -1, to_do = -1;
  SweepHooks hooks;
  hooks.start = [&](const SweepStart& s) {
    already = s.already_done;
    to_do = s.to_do;
  };
  const SweepSummary s = run_sweep(plan, o, hooks, &cancel);
  CHECK(already == 4);
  CHECK(to_do == 5);
  CHECK(s.done == 5);
  CHECK(s.ok == 9);
  for (const char* ds : {"/sweep/params", "/sweep/outcomes", "/sweep/series/firmness_gain"}) {
    INFO(ds);
    CHECK(same_bits(read_doubles(whole.output, ds), read_doubles(o.output, ds)));
  }
  CHECK_FALSE(fs::exists(o.output + ".partial"));
}

TEST_CASE("a sweep counts failed runs, takes another executor and refuses another sweep's file",
          "[sweep][run_sweep]") {
  const SweepDir dir("run_sweep_other");
  const SweepPlan failing = dir.plan(testing::kGridWithFailure);
  SweepOptions o;
  o.output = dir.file("out.h5");
  std::int64_t executed = 0;
  SweepHooks serial;
  serial.execute = [&](std::span<const std::int64_t> runs, const RecordSink& sink) {
    for (std::int64_t r : runs) {
      ++executed;
      sink(evaluate_run(failing, r));
    }
  };
  const SweepSummary s = run_sweep(failing, o, serial);
  CHECK(executed == 4);
  CHECK(s.ok == 3);
  CHECK(s.failed == 1);

  const SweepPlan other = dir.plan(testing::kGrid3x3);
  o.another_output = "another -o";
  o.restart_hint = "run with --restart";
  CHECK_THROWS_WITH(run_sweep(other, o), Catch::Contains("holds another sweep") &&
                                             Catch::EndsWith("remove it, choose another -o, or run with --restart"));
  o.threads = 0;
  CHECK_THROWS_AS(run_sweep(other, o), ConfigError);
}
