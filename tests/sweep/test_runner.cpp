// Tests for include/citsim/sweep/runner.hpp: a run's record depends on its index only (serial and
// threaded sweeps agree bit for bit), a failing run is a record, records survive bytes, and a
// cancelled sweep keeps every finished run and abandons the rest.
#include <catch2/catch.hpp>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/run.hpp"
#include "citsim/sweep/runner.hpp"
#include "fixtures.hpp"

using namespace citsim::sweep;
using citsim::sweep::testing::SweepDir;
using citsim::sweep::testing::same_bits;

namespace {

std::map<std::int64_t, RunRecord> run_all(const SweepPlan& plan, int threads) {
  std::vector<std::int64_t> runs;
  for (std::int64_t r = 0; r < plan.design.runs(); ++r) runs.push_back(r);
  std::map<std::int64_t, RunRecord> out;
  run_threads(plan, runs, threads, [&](RunRecord&& rec) {
    REQUIRE(out.count(rec.run) == 0);
    out.emplace(rec.run, std::move(rec));
  });
  return out;
}

}  // namespace

TEST_CASE("serial and threaded sweeps give identical records", "[sweep][runner]") {
  const SweepDir dir("runner");
  const SweepPlan plan = dir.plan(testing::kGrid3x3);
  REQUIRE(plan.design.runs() == 9);
  const auto serial = run_all(plan, 1);
  const auto threaded = run_all(plan, 3);
  REQUIRE(serial.size() == 9);
  REQUIRE(threaded.size() == 9);
  for (const auto& [run, rec] : serial) {
    const RunRecord& t = threaded.at(run);
    INFO("run " << run);
    CHECK(rec.status == RunStatus::Ok);
    CHECK(rec.params == t.params);
    CHECK(same_bits(rec.outcomes, t.outcomes));
    REQUIRE(rec.series.size() == 2);
    CHECK(same_bits(rec.series[0], t.series[0]));
    CHECK(same_bits(rec.series[1], t.series[1]));
    CHECK(rec.series[0].size() == plan.grid.size());
  }
  // the design's values reach the runs: longer needles at the same density give more gain
  CHECK(serial.at(6).outcomes[0] > serial.at(0).outcomes[0]);
  CHECK(serial.at(4).params == std::vector<double>{1.5, 250});
}

TEST_CASE("a failing run is recorded with its message and the others go on", "[sweep][runner]") {
  const SweepDir dir("runner_fail");
  const SweepPlan plan = dir.plan(testing::kGridWithFailure);
  const auto recs = run_all(plan, 2);
  REQUIRE(recs.size() == 4);
  CHECK(recs.at(0).status == RunStatus::Ok);
  CHECK(recs.at(1).status == RunStatus::Ok);
  CHECK(recs.at(2).status == RunStatus::Ok);
  const RunRecord& bad = recs.at(3);  // 3 sessions, 50 days apart: the last on day 100 = end
  CHECK(bad.status == RunStatus::Failed);
  CHECK_THAT(bad.message, Catch::Contains("protocol.end_days") && Catch::Contains("must be after the last session"));
  CHECK(bad.params == std::vector<double>{3, 50});
  for (double v : bad.outcomes) CHECK(std::isnan(v));
}

TEST_CASE("a record survives serialisation bit for bit", "[sweep][runner]") {
  RunRecord r;
  r.run = 1234567890123;
  r.status = RunStatus::Failed;
  r.message = "why \n it failed";
  r.params = {1.5, -0.0, 1e-300};
  r.outcomes = {std::nan(""), 2.5};
  r.series = {{1, 2, 3}, {}};
  r.wall_seconds = 0.125;
  const std::vector<char> bytes = serialize(r);
  const RunRecord b = deserialize(bytes);
  CHECK(b.run == r.run);
  CHECK(b.status == r.status);
  CHECK(b.message == r.message);
  CHECK(b.params == r.params);
  CHECK(std::signbit(b.params[1]));
  CHECK(std::isnan(b.outcomes[0]));
  CHECK(b.series == r.series);
  CHECK(b.wall_seconds == r.wall_seconds);
  CHECK_THROWS_AS(deserialize(std::span<const char>(bytes.data(), bytes.size() - 1)), std::invalid_argument);
}

TEST_CASE("a failing writer stops the sweep and reports its error", "[sweep][runner]") {
  const SweepDir dir("runner_sink");
  const SweepPlan plan = dir.plan(testing::kGrid3x3);
  std::vector<std::int64_t> runs = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  int seen = 0;
  CHECK_THROWS_WITH(run_threads(plan, runs, 2,
                                [&](RunRecord&&) {
                                  if (++seen == 2) throw std::runtime_error("disk full");
                                }),
                    "disk full");
  CHECK(seen == 2);
}

TEST_CASE("a cancelled run stops with Interrupted where it is, and is no failed record", "[sweep][runner][signals]") {
  const SweepDir dir("runner_cancel_run");
  const SweepPlan plan = dir.plan(testing::kGrid3x3);
  citsim::CancelFlag cancel{true};
  CHECK_THROWS_AS(evaluate_run(plan, 0, &cancel), citsim::Interrupted);

  // Set from inside the run (as a signal would): the run stops at the next split step after it.
  const citsim::RunConfig cfg = citsim::parse_config(plan.spec.base_text, plan.spec.base_path, plan.spec.base_sets);
  citsim::CancelFlag later{false};
  double last_seen = 0.0;
  const auto progress = [&](double t, double) {
    last_seen = t;
    if (t > 30.0) later = true;
  };
  CHECK_THROWS_WITH(citsim::run_simulation(cfg, progress, &later), Catch::Contains("run interrupted at day 3"));
  CHECK(last_seen > 30.0);
  CHECK(last_seen < 40.0);  // it did not run on to the end (day 100)
}

TEST_CASE("a cancelled sweep hands over every finished run, none twice, then throws Interrupted", "[sweep][runner][signals]") {
  const SweepDir dir("runner_cancel");
  // 90 runs: more than the writer's queue (4 per thread) and the runs in progress can hold, so
  // a cancelled sweep must have left some undone whatever the timing.
  std::string spec = testing::kGrid3x3;
  spec.replace(spec.find("steps = 3"), 9, "steps = 30");
  const SweepPlan plan = dir.plan(spec);
  std::vector<std::int64_t> runs;
  for (std::int64_t r = 0; r < plan.design.runs(); ++r) runs.push_back(r);
  REQUIRE(runs.size() == 90);
  std::map<std::int64_t, RunRecord> reference;
  run_threads(plan, runs, 1, [&](RunRecord&& rec) { reference.emplace(rec.run, std::move(rec)); });
  for (int threads : {1, 2, 3}) {
    for (int stop_after : {0, 1, 4}) {
      citsim::CancelFlag cancel{stop_after == 0};
      std::map<std::int64_t, RunRecord> got;
      CHECK_THROWS_AS(run_threads(plan, runs, threads,
                                  [&](RunRecord&& rec) {
                                    REQUIRE(got.count(rec.run) == 0);
                                    got.emplace(rec.run, std::move(rec));
                                    if (static_cast<int>(got.size()) == stop_after) cancel = true;
                                  },
                                  &cancel),
                      citsim::Interrupted);
      INFO("threads " << threads << ", cancelled after " << stop_after << " record(s)");
      CHECK(static_cast<int>(got.size()) >= stop_after);
      CHECK(got.size() <= static_cast<std::size_t>(stop_after + 5 * threads));  // queue + runs in progress
      for (const auto& [run, rec] : got) {  // what was kept is exactly what an uninterrupted sweep gives
        CHECK(rec.status == RunStatus::Ok);
        CHECK(same_bits(rec.outcomes, reference.at(run).outcomes));
      }
    }
  }
}

TEST_CASE("a flag raised after the last run changes nothing", "[sweep][runner][signals]") {
  const SweepDir dir("runner_cancel_late");
  const SweepPlan plan = dir.plan(testing::kGridWithFailure);
  const std::vector<std::int64_t> runs = {0, 1, 2, 3};
  citsim::CancelFlag cancel{false};
  int seen = 0;
  CHECK_NOTHROW(run_threads(plan, runs, 1, [&](RunRecord&&) { cancel = ++seen == 4; }, &cancel));
  CHECK(seen == 4);
}

TEST_CASE("an axis that removes a base key runs from a pen's density to a roller's passes", "[sweep][runner]") {
  const SweepDir dir("runner_unset");
  std::ofstream(dir.path / "pen.toml") << "[model]\nlevel = \"0d\"\n[protocol]\nend_days = 60\n"
                                          "[protocol.series]\ncount = 2\n[protocol.series.needle]\ndensity = 250\n";
  const SweepPlan plan = dir.plan("base = \"pen.toml\"\noutcomes = [\"final_gain\"]\n"
                                  "set = [\"protocol.series.needle.device=roller\", \"protocol.series.needle.needle_length=1.5\"]\n"
                                  "[[axis]]\nkey = \"protocol.series.needle.passes\"\nvalues = [2, 8]\n"
                                  "unset = [\"protocol.series.needle.density\"]\n");
  const auto records = run_all(plan, 1);
  REQUIRE(records.size() == 2);
  for (const auto& [run, rec] : records) {
    INFO(rec.message);
    CHECK(rec.status == RunStatus::Ok);
  }
  // each run is the config `--unset density --set passes=N` gives, to the bit
  const citsim::RunConfig eight = citsim::parse_config(
      plan.spec.base_text, plan.spec.base_path,
      {"protocol.series.needle.device=roller", "protocol.series.needle.needle_length=1.5",
       citsim::unset_override("protocol.series.needle.density"), "protocol.series.needle.passes=8"});
  const citsim::RunResult r = citsim::run_simulation(eight);
  CHECK(same_bits(records.at(1).outcomes, {r.readout("firmness_gain").values.back()}));
  CHECK(records.at(1).outcomes[0] != records.at(0).outcomes[0]);
}
