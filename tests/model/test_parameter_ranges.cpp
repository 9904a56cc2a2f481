// The whole allowed range of every parameter: each end of each range (and 0 where it is allowed),
// at 0D and on a coarse 1D column, either runs to finite readouts or is refused by the config
// with a message naming the key. Short runs (two sessions, 8 days, dz = 0.5 mm) keep the scan to
// a few seconds in Release.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/model/parameters.hpp"
#include "citsim/run.hpp"

using namespace citsim;

namespace {

// Every patient modifier on (smoker, keloid, anticoagulant, sun), aging drift, a sterile pen then
// a non-sterile roller, so that every parameter acts on the run.
constexpr const char* kBase = R"(
seed = 1
[patient]
age = 55
smoker = true
keloid_tendency = true
anticoagulant = true
sun_exposure = 0.5
[model]
aging_drift = true
[protocol]
end_days = 8
[[protocol.session]]
time = 0
device = "pen"
needle_length = 1.0
density = 250
[[protocol.session]]
time = 2
device = "roller"
needle_length = 1.0
passes = 2
sterility = "non_sterile"
[numerics]
dz = 0.5
[output]
dt = 1
dense_dt = 0.25
dense_days = 1
profile_dt = 4
)";

/// What a run at one value gave: refused (the message), failed (the message), or ran.
struct ScanResult {
  bool refused = false;
  std::string refusal;
  std::string failure;      ///< a NumericalError or a non-finite readout
};

ScanResult try_value(const std::string& level, std::vector<std::string> sets) {
  sets.push_back("model.level=" + level);
  ScanResult o;
  RunConfig cfg;
  try {
    cfg = parse_config(kBase, "scan.toml", sets);
  } catch (const ConfigError& e) {
    o.refused = true;
    o.refusal = e.what();
    return o;
  }
  try {
    const RunResult r = run_simulation(cfg);
    for (const Series& s : r.readouts)
      for (std::size_t k = 0; k < s.values.size(); ++k)
        if (!std::isfinite(s.values[k])) {
          o.failure = fmt::format("readout {} = {} at day {}", s.name, s.values[k], r.time[k]);
          return o;
        }
    for (const LayerSeries& l : r.layers)
      for (std::size_t k = 0; k < l.synthesis.size(); ++k)
        if (!std::isfinite(l.synthesis[k]) || !std::isfinite(l.type3_share[k])) {
          o.failure = fmt::format("{} synthesis {} (type III share {}) at day {}", l.name, l.synthesis[k],
                                  l.type3_share[k], r.time[k]);
          return o;
        }
  } catch (const NumericalError& e) {
    o.failure = e.what();
  }
  return o;
}

/// The value as --set text that reads back as a float.
std::string text(double v) {
  std::string t = fmt::format("{}", v);
  if (t.find_first_of(".en") == std::string::npos) t += ".0";
  return t;
}

/// Runs `key` at each of `values` at 0D and 1D; refusals must name `name`.
void scan(const std::string& key, const std::string& name, const std::vector<double>& values,
          std::vector<std::string> extra = {}) {
  for (const std::string level : {"0d", "1d"})
    for (double v : values) {
      std::vector<std::string> sets = extra;
      sets.push_back(fmt::format("{}={}", key, text(v)));
      INFO(level << " " << key << " = " << text(v));
      const ScanResult o = try_value(level, sets);
      INFO(o.refusal << o.failure);
      CHECK(o.failure.empty());
      if (o.refused) CHECK(o.refusal.find(name) != std::string::npos);
    }
}

/// Both ends of the range and 0 if it lies inside.
std::vector<double> range_values(double lo, double hi) {
  std::vector<double> v = {lo, hi};
  if (lo < 0.0 && hi > 0.0) v.push_back(0.0);
  return v;
}

}  // namespace

TEST_CASE("parameter ranges: every end of every parameter's range runs to finite readouts or is refused") {
  REQUIRE(try_value("0d", {}).failure.empty());
  REQUIRE_FALSE(try_value("1d", {}).refused);
  for (const ParameterSpec& s : parameter_table()) {
    const std::string name(s.name);
    const std::string key = (s.group == ParameterGroup::Tissue ? "tissue." : "model.parameters.") + name;
    // The laxity factors act only for their cause.
    std::vector<std::string> extra;
    if (name.starts_with("postpartum_")) extra.push_back("patient.laxity_cause=postpartum");
    if (name.starts_with("weight_loss_")) extra.push_back("patient.laxity_cause=weight_loss");
    scan(key, name, range_values(s.min, s.max), extra);
  }
}

TEST_CASE("parameter ranges: the patient's numbers at the ends of their ranges give finite readouts") {
  scan("patient.age", "patient.age", {0.0, 120.0});
  scan("patient.age", "patient.age", {0.0, 120.0}, {"patient.laxity_cause=postpartum"});
  scan("patient.sun_exposure", "patient.sun_exposure", {0.0, 1.0});
}

TEST_CASE("parameter ranges: a value the readouts cannot be formed at is refused, not a NaN") {
  // A reticular dermis without collagen or elastin gives the Cutometer no reference to compare
  // with (0/0): the table's ranges exclude 0 for them.
  for (const std::string level : {"0d", "1d"})
    for (const std::string key : {"tissue.C_reticular", "tissue.E_reticular"}) {
      INFO(level << " " << key);
      const ScanResult o = try_value(level, {key + "=0.0"});
      CHECK(o.refused);
      CHECK(o.refusal.find(key) != std::string::npos);
    }
}

TEST_CASE("parameter ranges: a run never reports a readout that is not finite", "[run]") {
  // What stays behind the ranges: a readout that is NaN or infinite ends the run with
  // NumericalError (exit 3; a failed run in a sweep) instead of being written.
  RunResult r;
  r.level = ModelLevel::ZeroD;
  r.time = {0.0, 1.0, 2.0};
  r.readouts = {{"R0", "mm", "", {0.5, 0.5, 0.5}}, {"firmness_gain", "percent", "", {0.0, 1.0, 2.0}}};
  CHECK_NOTHROW(require_finite_readouts(r));
  for (double bad : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    r.readouts[1].values[2] = bad;
    CHECK_THROWS_WITH(require_finite_readouts(r),
                      Catch::StartsWith("readout firmness_gain = " + fmt::format("{}", bad) + " at day 2 (level 0d): not finite"));
  }
}
