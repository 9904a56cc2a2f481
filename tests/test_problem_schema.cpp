// The problem's schema (citsim/problem_schema.hpp): every key round-trips through set and get,
// set refuses what the schema does not allow, validate() catches on a struct what the TOML reader
// catches in a file, run_simulation refuses an invalid struct, and the reader and the table
// agree on the keys.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/model/injury.hpp"
#include "citsim/model/tissue.hpp"
#include "citsim/problem_schema.hpp"
#include "citsim/run.hpp"

#ifndef CITSIM_SOURCE_DIR
#define CITSIM_SOURCE_DIR "."
#endif

using namespace citsim;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// A value `spec` allows, other than its default where that is easy.
KeyValue allowed_value(const KeySpec& spec) {
  switch (spec.kind) {
    case KeyKind::Number: {
      const Interval& r = spec.range;
      if (std::isfinite(r.hi)) return r.lo + 0.75 * (r.hi - r.lo);
      return r.lo_open ? r.lo + 0.5 : r.lo + 0.25;
    }
    case KeyKind::Integer:  // the top of a closed range; 2 above the bottom of an open one
      return static_cast<std::int64_t>(std::isfinite(spec.range.hi) ? spec.range.hi : spec.range.lo + 2.0);
    case KeyKind::Boolean: return true;
    case KeyKind::Choice: return std::string(spec.words.back());
    case KeyKind::Text: return std::string("results/other.h5");
  }
  return false;
}

/// The problem keys configs/default.toml gives ("section.key"), by its [section] headers.
std::vector<std::string> default_toml_keys() {
  std::ifstream in(CITSIM_SOURCE_DIR "/configs/default.toml");
  std::vector<std::string> keys;
  std::string line, section;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (line[first] == '[') {
      section = line.substr(first + 1, line.find(']') - first - 1);
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(first, eq - first);
    key.erase(key.find_last_not_of(" \t") + 1);
    keys.push_back(section.empty() ? key : section + "." + key);
  }
  return keys;
}

/// The message of the ConfigError `f` throws; fails if none.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("no ConfigError");
  return {};
}

bool blames(const std::vector<ProblemIssue>& issues, const std::string& key, const std::string& text) {
  for (const ProblemIssue& i : issues)
    if (!i.keys.empty() && i.keys.front() == key && contains(i.message(), text)) return true;
  return false;
}

/// A 0D single-session problem, quick to run.
RunConfig quick_problem() {
  RunConfig c;
  c.level = ModelLevel::ZeroD;
  c.protocol.end_days = 10.0;
  c.protocol.sessions = {Session{}};
  return c;
}

}  // namespace

TEST_CASE("problem schema: every key round-trips through set and get", "[schema]") {
  std::set<std::string> seen;
  for (const KeySpec& spec : problem_keys()) {
    INFO(spec.path);
    CHECK(seen.insert(spec.path).second);  // each key once
    CHECK(find_key(spec.path) == &spec);
    RunConfig c;
    const KeyValue v = allowed_value(spec);
    REQUIRE(accepted(spec, v));
    set(c, spec.path, v);
    const auto back = get(c, spec.path);
    REQUIRE(back);
    CHECK(*back == *accepted(spec, v));
    CHECK_FALSE(allowed_text(spec).empty());
  }
  // parameters are the parameter table's rows, under their config keys
  CHECK(find_key("model.parameters.k_tx")->parameter == find_parameter("k_tx"));
  CHECK(find_key("tissue.z_bottom")->unit == find_parameter("z_bottom")->unit);
  CHECK(find_key("model.parameters.z_bottom") == nullptr);
  for (const KeySpec& field : session_keys()) {
    INFO(field.path);
    Session s;
    const KeyValue v = allowed_value(field);
    set(s, field.path, v);
    CHECK(get(s, field.path) == *accepted(field, v));
  }
}

TEST_CASE("problem schema: every key of configs/default.toml is in the table", "[schema]") {
  const std::vector<std::string> keys = default_toml_keys();
  REQUIRE(keys.size() > 30);
  for (const std::string& key : keys) {
    INFO(key);
    CHECK(find_key(key) != nullptr);
  }
  // and what the table says of it is what the reader made of it
  const RunConfig cfg = load_config(CITSIM_SOURCE_DIR "/configs/default.toml");
  CHECK(get(cfg, "protocol.series.count") == KeyValue{std::int64_t{6}});
  CHECK(get(cfg, "protocol.series.needle.density") == KeyValue{250.0});
  CHECK(get(cfg, "numerics.splitting") == KeyValue{std::string("rebalanced")});
  CHECK(validate(cfg).empty());
  CHECK(validate(RunConfig{}).empty());
}

TEST_CASE("problem schema: set refuses unknown keys, wrong kinds and values out of range", "[schema]") {
  RunConfig c;
  CHECK(error_of([&] { set(c, "patient.age", 130.0); }) ==
        "RunConfig: key 'patient.age' = 130: must be a number in [0, 120] years");
  CHECK(error_of([&] { set(c, "patient.age", std::string("old")); }) ==
        "RunConfig: key 'patient.age' = \"old\": must be a number in [0, 120] years");
  CHECK(error_of([&] { set(c, "numerics.closure_shells", 2.0); }) ==
        "RunConfig: key 'numerics.closure_shells' = 2: must be an integer in 1..64 (one shell is the "
        "two-compartment closure)");
  CHECK(error_of([&] { set(c, "model.level", std::string("4d")); }) ==
        "RunConfig: key 'model.level' = \"4d\": must be one of \"0d\", \"1d\", \"2d\", \"3d\"");
  CHECK(error_of([&] { set(c, "patient.smoker", std::int64_t{1}); }) ==
        "RunConfig: key 'patient.smoker' = 1: must be true or false");
  CHECK(error_of([&] { set(c, "model.parameters.a_N", 0.7); }) ==
        "RunConfig: key 'model.parameters.a_N' = 0.7: must be a number in [0, 0.5] 1/day");
  CHECK(error_of([&] { set(c, "numerics.dt_min", 1e-13); }) ==
        "RunConfig: key 'numerics.dt_min' = 1e-13: must be a number >= 1e-12 days");
  CHECK(error_of([&] { set(c, "patient.agee", 40.0); }) ==
        "RunConfig: key 'patient.agee' = 40: unknown key; did you mean 'patient.age'? (problem_keys() lists "
        "them; a session's field is protocol.sessions[i].FIELD)");
  CHECK(contains(error_of([&] { set(c, "protocol.sessions[0].density", 300.0); }),
                 "key 'protocol.sessions[0].density' = 300: no such session: the problem has 0"));
  CHECK(contains(error_of([&] { set(c, "patient.age", std::nan("")); }), "must be a number in [0, 120] years"));
  CHECK(c.patient.age == 40.0);  // nothing refused was set
  // an integer is a number; a number is not an integer
  set(c, "patient.age", std::int64_t{65});
  CHECK(c.patient.age == 65.0);
}

TEST_CASE("problem schema: series keys lay the sessions out as a config does", "[schema]") {
  const std::string path = CITSIM_SOURCE_DIR "/configs/default.toml";
  RunConfig c = load_config(path);
  set(c, "protocol.series.count", std::int64_t{3});
  set(c, "protocol.series.interval_days", 0.1 + 0.2);
  set(c, "protocol.series.first_day", 7.0);
  set(c, "protocol.series.needle.needle_length", 1.5);
  const RunConfig toml = load_config(path, {"protocol.series.count=3", "protocol.series.interval_days=0.30000000000000004",
                                            "protocol.series.first_day=7.0",
                                            "protocol.series.needle.needle_length=1.5"});
  REQUIRE(c.protocol.sessions.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(c.protocol.sessions[k].time == toml.protocol.sessions[k].time);  // the same bits
    CHECK(c.protocol.sessions[k].needle_length == 1.5);
  }
  // a roller by its passes takes the drum's density, and follows the drum
  set(c, "protocol.series.needle.device", std::string("roller"));
  set(c, "protocol.series.needle.passes", std::int64_t{4});
  CHECK(c.protocol.sessions[2].density == roller_density(4, c.parameters));
  set(c, "model.parameters.roller_width", 3.0);
  CHECK(c.protocol.sessions[0].density == roller_density(4, c.parameters));
  CHECK(validate(c).empty());
  // a problem without sessions gets the default series; sessions listed one by one take no series key
  RunConfig fresh;
  set(fresh, "protocol.series.needle.density", 300.0);
  CHECK(fresh.protocol.sessions.size() == 6);
  CHECK(fresh.protocol.sessions[5].time == 140.0);
  const RunConfig listed = quick_problem();
  RunConfig l = listed;
  CHECK(contains(error_of([&] { set(l, "protocol.series.count", std::int64_t{2}); }), "listed one by one"));
  CHECK_FALSE(get(listed, "protocol.series.count"));
  set(l, "protocol.sessions[0].needle_length", 1.0);
  CHECK(l.protocol.sessions[0].needle_length == 1.0);
}

TEST_CASE("problem schema: validate catches on a struct what the reader catches in a file", "[schema]") {
  SECTION("an unstable resting loop") {
    RunConfig c;
    c.parameters.a_N = 0.5;
    c.parameters.a_M1 = 0.5;
    c.parameters.s_N = 30.0;
    REQUIRE(loop_gain(c.parameters, max_vascular_density(c.parameters)) >= 1.0);
    CHECK(blames(validate(c), "model.parameters.a_N", "resting inflammation is unstable: loop gain G(v_max) = "));
    RunConfig d;
    set(d, "model.parameters.a_N", 0.5);  // in its range, and stable alone with the fitted defaults
    CHECK(validate(d).empty() == (loop_gain(d.parameters, max_vascular_density(d.parameters)) < 1.0));
  }
  SECTION("a roller with both passes and density") {
    RunConfig c = quick_problem();
    c.protocol.sessions[0].device = Device::Roller;
    c.protocol.sessions[0].passes = 4;
    c.protocol.sessions[0].density = 250.0;
    CHECK(blames(validate(c), "protocol.sessions[0].passes", "give a roller either passes or density"));
    c.protocol.sessions[0].density = roller_density(4, c.parameters);
    CHECK(validate(c).empty());
  }
  SECTION("passes on a pen") {
    RunConfig c = quick_problem();
    c.protocol.sessions[0].passes = 3;
    CHECK(blames(validate(c), "protocol.sessions[0].passes", "passes is for rollers only"));
  }
  SECTION("q3 + Delta_f3 above 1, layers out of order") {
    RunConfig c;
    c.parameters.q3_reticular = 0.9;
    c.parameters.z_papillary = 2.5;
    const auto issues = validate(c);
    CHECK(blames(issues, "tissue.q3_reticular", "q3_reticular + Delta_f3 = 0.9 + 0.25 exceeds 1"));
    CHECK(blames(issues, "tissue.z_papillary", "must be less than z_reticular = 2.1 mm"));
    // either side of a rule between two keys reads it from its own side
    for (const ProblemIssue& i : issues)
      if (i.keys.front() == "tissue.z_papillary") CHECK(contains(i.message(1), "must be greater than z_papillary"));
  }
  SECTION("sessions after the end, out of order, and needles the domain cannot hold") {
    RunConfig c = quick_problem();
    Session late;
    late.time = 20.0;
    late.needle_length = 4.5;
    c.protocol.sessions.push_back(late);
    Session early;
    early.time = 5.0;
    c.protocol.sessions.push_back(early);
    const auto issues = validate(c);
    CHECK(blames(issues, "protocol.end_days", "must be after the last session (day 20)"));
    CHECK(blames(issues, "protocol.sessions[2].time", "before protocol.sessions[1] (day 20)"));
    CHECK(blames(issues, "protocol.sessions[1].needle_length", "beyond the domain bottom"));
  }
  SECTION("numerics: dt_min above dt_max, a field grid of two cells") {
    RunConfig c;
    c.numerics.dt_min = 2.0;
    c.level = ModelLevel::ThreeD;
    c.parameters.width_3d = 0.5;
    c.numerics.dx = 0.25;
    const auto issues = validate(c);
    CHECK(blames(issues, "numerics.dt_min", "needs dt_min <= dt_max"));
    CHECK(blames(issues, "numerics.dx", "gives 2 lateral cell(s) across the 3D width width_3d = 0.5 mm"));
  }
  SECTION("values set on the struct out of their range, contraindications") {
    RunConfig c = quick_problem();
    c.patient.age = 130.0;
    c.patient.pregnant = true;
    c.protocol.sessions[0].sharpness = 0.0;
    const auto issues = validate(c);
    CHECK(blames(issues, "patient.age", "must be a number in [0, 120] years"));
    CHECK(blames(issues, "protocol.sessions[0].sharpness", "must be a number in (0, 1]"));
    CHECK(blames(issues, "patient.pregnant", "contraindicated in pregnancy"));
    c.protocol.allow_contraindicated = true;
    CHECK_FALSE(blames(validate(c), "patient.pregnant", "contraindicated"));
  }
}

TEST_CASE("problem schema: run_simulation refuses an invalid struct, listing its issues", "[schema]") {
  RunConfig c = quick_problem();
  c.parameters.a_N = 0.5;
  c.parameters.a_M1 = 0.5;
  c.parameters.s_N = 30.0;
  c.numerics.dt_min = 2.0;
  try {
    (void)run_simulation(c);
    FAIL("an unstable tissue was run");
  } catch (const InvalidProblem& e) {
    CHECK(e.issues().size() == 2);
    const std::string msg = e.what();
    CHECK(contains(msg, "RunConfig: key 'model.parameters.a_N' = 0.5: resting inflammation is unstable"));
    CHECK(contains(msg, "and 1 more issue(s):\n  key 'numerics.dt_min' = 2: needs dt_min <= dt_max"));
  }
  CHECK_THROWS_AS(run_simulation(c), ConfigError);  // bad input: exit code 2 at the command line
  CHECK_NOTHROW(run_simulation(quick_problem()));
}

TEST_CASE("problem schema: the TOML reader and the table agree on the keys", "[schema]") {
  // Every key of the table is one the reader takes with --set, read into the same field.
  for (const KeySpec& spec : problem_keys()) {
    INFO(spec.path);
    const KeyValue v = *accepted(spec, allowed_value(spec));
    std::string text = to_text(v);
    if (spec.kind == KeyKind::Number && text.find_first_of(".en") == std::string::npos) text += ".0";
    // a needle key: the series' own, since the default config lists none
    std::vector<std::string> sets = {spec.path + "=" + text};
    if (spec.path == "protocol.series.needle.passes") sets.insert(sets.begin(), "protocol.series.needle.device=roller");
    try {
      const RunConfig cfg = parse_config("", "agree.toml", sets);
      CHECK(get(cfg, spec.path) == v);
    } catch (const ConfigError& e) {
      // only a rule between keys may refuse it, never the key or its value
      const std::string msg = e.what();
      CHECK_FALSE(contains(msg, "unknown key"));
      CHECK_FALSE(contains(msg, allowed_text(spec)));
    }
  }
  // Every key the reader lists in a table ("keys here: ...") is in the table, or is a sub-table.
  const std::set<std::string> structural = {"patient", "protocol", "tissue", "model", "numerics", "output",
                                            "session", "series",  "needle", "needles", "parameter_file", "parameters"};
  for (const std::string prefix : {"", "patient", "protocol", "protocol.series", "model", "numerics", "output"}) {
    INFO(prefix);
    const std::string msg = error_of([&] { parse_config("", "agree.toml", {(prefix.empty() ? "" : prefix + ".") + "zzz=1"}); });
    const auto at = msg.find("keys here: ");
    REQUIRE(at != std::string::npos);
    std::stringstream list(msg.substr(at + 11, msg.rfind(')') - at - 11));
    std::string name;
    int in_table = 0;
    while (std::getline(list, name, ',')) {
      name.erase(0, name.find_first_not_of(' '));
      if (structural.contains(name)) continue;
      CHECK(find_key(prefix.empty() ? name : prefix + "." + name) != nullptr);
      ++in_table;
    }
    CHECK(in_table > 0);
  }
  for (const KeySpec& field : session_keys())
    CHECK((find_key("protocol.series.needle." + field.path) != nullptr || field.path == "time"));
}
