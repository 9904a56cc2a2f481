// Every calibration target of configs/validation/targets.toml (revision 3 of the validation
// targets, 24 of them) is a test: it runs the scenario and asserts the metric lies in its
// interval. Nothing is widened or skipped.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "citsim/errors.hpp"
#include "citsim/validation/metrics.hpp"

using namespace citsim;

namespace {

const std::string kDir = std::string(CITSIM_SOURCE_DIR) + "/configs/validation";

/// The ids that have a TEST_CASE below; the file must list exactly these.
const std::set<std::string>& tested_ids() {
  static const std::set<std::string> ids{
      "neutrophil_peak", "neutrophil_resolved", "macrophage_peak", "m1_before_m2", "m2_peak",
      "myofibroblast_onset", "myofibroblast_peak", "myofibroblast_cleared", "synthesis_peak",
      "synthesis_resolves", "type3_share_early", "type1_dominates_again", "erythema_resolves",
      "aging_collagen_decline", "aged_fibroblast_synthesis", "smoker_synthesis",
      "cutometer_baseline_young", "cutometer_age_trend", "fibrotic_persistence",
      "course_collagen_induction", "course_firmness_gain", "lotfi_papillary_collagen",
      "firmness_peak_after_course", "channel_core_refill"};
  return ids;
}

void check_target(const std::string& id) {
  REQUIRE(tested_ids().count(id) == 1);
  const std::vector<Target> targets = load_targets(kDir + "/targets.toml");
  const auto it = std::find_if(targets.begin(), targets.end(), [&](const Target& t) { return t.id == id; });
  REQUIRE(it != targets.end());
  ScenarioRunner runner(kDir);
  const MetricValue m = evaluate_target(*it, runner);
  INFO(id << " (" << it->metric << "): " << m.value << " must lie in [" << it->lo << ", " << it->hi
          << "] " << m.note << "; source: " << it->source);
  CHECK(m.value >= it->lo);
  CHECK(m.value <= it->hi);
  CHECK(m.pass);
}

}  // namespace

#define CITSIM_TARGET_TEST(ID) \
  TEST_CASE("target: " ID, "[validation]") { check_target(ID); }

CITSIM_TARGET_TEST("neutrophil_peak")
CITSIM_TARGET_TEST("neutrophil_resolved")
CITSIM_TARGET_TEST("macrophage_peak")
CITSIM_TARGET_TEST("m1_before_m2")
CITSIM_TARGET_TEST("m2_peak")
CITSIM_TARGET_TEST("myofibroblast_onset")
CITSIM_TARGET_TEST("myofibroblast_peak")
CITSIM_TARGET_TEST("myofibroblast_cleared")
CITSIM_TARGET_TEST("synthesis_peak")
CITSIM_TARGET_TEST("synthesis_resolves")
CITSIM_TARGET_TEST("type3_share_early")
CITSIM_TARGET_TEST("type1_dominates_again")
CITSIM_TARGET_TEST("erythema_resolves")
CITSIM_TARGET_TEST("aging_collagen_decline")
CITSIM_TARGET_TEST("aged_fibroblast_synthesis")
CITSIM_TARGET_TEST("smoker_synthesis")
CITSIM_TARGET_TEST("cutometer_baseline_young")
CITSIM_TARGET_TEST("cutometer_age_trend")
CITSIM_TARGET_TEST("fibrotic_persistence")
CITSIM_TARGET_TEST("course_collagen_induction")
CITSIM_TARGET_TEST("course_firmness_gain")
CITSIM_TARGET_TEST("lotfi_papillary_collagen")
CITSIM_TARGET_TEST("firmness_peak_after_course")
CITSIM_TARGET_TEST("channel_core_refill")

TEST_CASE("targets: every target of the file has its test, and agrees with the specification's file", "[validation]") {
  const std::vector<Target> targets = load_targets(kDir + "/targets.toml");
  std::set<std::string> in_file;
  for (const Target& t : targets) in_file.insert(t.id);
  CHECK(in_file == tested_ids());
  for (const Target& t : targets) {
    const auto kinds = metric_kinds();
    CHECK(std::find(kinds.begin(), kinds.end(), t.kind) != kinds.end());
  }
  // The specification's own file, where it sits beside the repository: same ids and intervals.
  const std::string spec = std::string(CITSIM_SOURCE_DIR) + "/../shared/validation/calibration.toml";
  if (!std::ifstream(spec)) {
    WARN("no " << spec << ": copy not compared");
    return;
  }
  // Every target of the copy stands in the specification's file, in the same order, with the
  // same scenario and interval. Targets the specification added after the copy was taken are
  // named: adopting them means their metrics and scenarios, and the model meeting them.
  const std::vector<Target> original = load_targets(spec);
  REQUIRE(original.size() >= targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    CHECK(targets[i].id == original[i].id);
    CHECK(targets[i].scenario == original[i].scenario);
    CHECK(targets[i].lo == original[i].lo);
    CHECK(targets[i].hi == original[i].hi);
  }
  std::string later;
  for (std::size_t i = targets.size(); i < original.size(); ++i) later += " " + original[i].id;
  if (!later.empty()) WARN(spec << " holds targets the copy has not adopted:" << later);
}

TEST_CASE("targets: a malformed targets file is refused with file, key and what is allowed", "[validation]") {
  const std::string path = std::string(CITSIM_SOURCE_DIR) + "/tests/validation/bad_targets.toml";
  CHECK_THROWS_WITH(load_targets(path), Catch::Contains("bad_targets.toml") &&
                                            Catch::Contains("target[0].range") &&
                                            Catch::Contains("lo <= hi"));
}

TEST_CASE("targets: a NaN range or a file nested too deep is refused, not read", "[validation]") {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "citsim_targets_nan.toml";
  const auto refusal = [&](const std::string& text) -> std::string {
    std::ofstream(path) << text;
    try {
      (void)load_targets(path.string());
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  const std::string head = "[[target]]\nid = \"x\"\nscenario = \"single_session\"\n";
  CHECK_THAT(refusal(head + "range = [nan, 1.0]\n"),
             Catch::Contains("target[0].range") && Catch::Contains("two finite numbers"));
  CHECK_THAT(refusal(head + "range = [0.0, inf]\n"), Catch::Contains("two finite numbers"));
  std::string key = "a";
  for (int i = 1; i < 50000; ++i) key += ".a";
  CHECK_THAT(refusal(head + "range = [0.0, 1.0]\n" + key + " = 1\n"),
             Catch::StartsWith(path.string() + ":5: nests deeper than 64 levels"));
  std::filesystem::remove(path);
}

TEST_CASE("evaluate_targets: the same outcomes on one thread and on two, each run once, errors kept per target") {
  // 0D scenarios (tests/calibration/scenarios): several targets share a run; one target names a
  // scenario that does not exist, one a metric that does not.
  const std::string dir = std::string(CITSIM_SOURCE_DIR) + "/tests/calibration/scenarios";
  std::vector<Target> targets;
  auto add = [&](const char* kind, const char* scenario) {
    Target t;
    t.id = t.kind = kind;
    t.scenario = scenario;
    t.lo = 0.0;
    t.hi = 1e9;
    targets.push_back(t);
  };
  add("neutrophil_peak", "single_session_0d");
  add("no_such_scenario_target", "missing");
  add("macrophage_peak", "single_session_0d");
  add("m1_before_m2", "single_session_0d");
  add("no_such_metric", "single_session_0d");
  add("myofibroblast_peak", "single_session_0d");
  targets[1].kind = "neutrophil_peak";

  std::vector<std::vector<TargetOutcome>> runs;
  for (int threads : {1, 2}) {
    ScenarioRunner runner(dir);
    int last = 0;
    runs.push_back(evaluate_targets(targets, runner, threads, [&](int done, int total) {
      CHECK(total == 6);
      last = std::max(last, done);
    }));
    CHECK(last == 6);
    CHECK(runner.runs() == 2);  // the shared scenario once, the missing one once
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    INFO(targets[i].id);
    const TargetOutcome &a = runs[0][i], &b = runs[1][i];
    CHECK(static_cast<bool>(a.error) == static_cast<bool>(b.error));
    if (a.error) continue;
    CHECK(std::isfinite(a.metric.value));
    CHECK(a.metric.value == b.metric.value);  // bit for bit
    CHECK(a.metric.pass == b.metric.pass);
  }
  CHECK(runs[0][1].error);
  CHECK_THROWS_AS(std::rethrow_exception(runs[0][1].error), ConfigError);
  CHECK(runs[0][4].error);
  CHECK_THROWS_AS(std::rethrow_exception(runs[0][4].error), ConfigError);
}

TEST_CASE("evaluate_targets: a cancelled evaluation throws Interrupted, not a target's failure") {
  const std::string dir = std::string(CITSIM_SOURCE_DIR) + "/tests/calibration/scenarios";
  std::vector<Target> targets(3);
  for (Target& t : targets) {
    t.id = t.kind = "neutrophil_peak";
    t.scenario = "single_session_0d";
  }
  CancelFlag cancel{true};
  ScenarioRunner runner(dir, {}, {}, &cancel);
  CHECK_THROWS_AS(evaluate_targets(targets, runner, 2), Interrupted);
}
