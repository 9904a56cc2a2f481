// Tests for include/citsim/sweep/spec.hpp: a valid spec resolved, and every failure path with the
// message the user reads (file, line, key, value, what is allowed, nearest key).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/sweep/spec.hpp"

using namespace citsim;
using namespace citsim::sweep;
namespace fs = std::filesystem;

namespace {

/// A directory with a small base config; removed at the end of the test.
struct Dir {
  fs::path path = fs::temp_directory_path() / ("citsim_spec_" + std::to_string(::getpid()));
  Dir() {
    fs::create_directories(path);
    std::ofstream(path / "base.toml") << "[model]\nlevel = \"0d\"\n[protocol]\nend_days = 100\n"
                                         "[protocol.series]\ncount = 2\ninterval_days = 28\n";
  }
  ~Dir() { fs::remove_all(path); }
  std::string spec(const std::string& text) const { return text; }
  std::string error(const std::string& text) const {
    try {
      parse_sweep_spec(text, (path / "s.toml").string());
    } catch (const ConfigError& e) {
      return e.what();
    }
    FAIL("no ConfigError for:\n" << text);
    return {};
  }
  SweepSpec parse(const std::string& text) const { return parse_sweep_spec(text, (path / "s.toml").string()); }
};

const std::string kHead = "base = \"base.toml\"\n";

}  // namespace

TEST_CASE("a sweep spec resolves aliases, parameter names, units and integer keys", "[sweep][spec]") {
  const Dir d;
  const SweepSpec s = d.parse(kHead + "outcomes = [\"final_gain\", \"collagen_induction@90\"]\n"
                                      "[[axis]]\nkey = \"needle_length\"\nvalues = [1.0, 2.0]\n"
                                      "[[axis]]\nkey = \"k_tx\"\nrange = [2e-4, 1e-3]\nsteps = 3\nscale = \"log\"\n"
                                      "[[axis]]\nkey = \"sessions\"\nrange = [1, 3]\n"
                                      "[[axis]]\nkey = \"epidermis\"\nname = \"epi\"\nvalues = [0.1]\n");
  REQUIRE(s.axes.size() == 4);
  CHECK(s.axes[0].key == "protocol.series.needle.needle_length");
  CHECK(s.axes[0].units == "mm");
  CHECK(s.axes[1].key == "model.parameters.k_tx");
  CHECK(s.axes[1].units == "1/day");
  REQUIRE(s.axes[1].values.size() == 3);
  CHECK(s.axes[1].values[1] == Approx(std::sqrt(2e-7)));
  CHECK(s.axes[2].key == "protocol.series.count");
  CHECK(s.axes[2].integer);
  CHECK(s.axes[2].values == std::vector<double>{1, 2, 3});
  CHECK(s.axes[3].key == "tissue.epidermis");
  CHECK(s.axes[3].name == "epi");
  CHECK(s.outcomes.size() == 2);
  CHECK(s.series.end == 100);
  CHECK(s.output == "results/sweeps/s.h5");
  CHECK(override_text(s.axes[2], 3.0) == "protocol.series.count=3");
  CHECK(override_text(s.axes[0], 2.0) == "protocol.series.needle.needle_length=2.0");
  CHECK(override_text(s.axes[1], 0.1 + 0.2) == "model.parameters.k_tx=0.30000000000000004");
}

TEST_CASE("spec errors name the file, line, key and what is allowed", "[sweep][spec]") {
  const Dir d;
  const std::string file = (d.path / "s.toml").string();
  CHECK(d.error(kHead + "axes = 1\n") ==
        file + ":2: key 'axes' = 1: unknown key; did you mean 'axis'? (keys here: base, unset, set, output, outcomes, "
               "design, axis, series)");
  CHECK_THAT(d.error(kHead + "[[axis]]\nkey = \"needle_lenght\"\nvalues = [1.0]\n"),
             Catch::StartsWith(file + ":3: key 'axis[0].key' = \"needle_lenght\": not a config key") &&
                 Catch::Contains("did you mean 'needle_length'?"));
  // the base config refuses a value: blamed on the axis, with the config's own rule
  CHECK_THAT(d.error(kHead + "[[axis]]\nkey = \"needle_length\"\nvalues = [1.0, 6.0]\n"),
             Catch::StartsWith(file + ":2: key 'axis[0]' = protocol.series.needle.needle_length = 6.0:") &&
                 Catch::Contains("refuses this value") && Catch::Contains("must be a number in (0, 5] mm"));
  CHECK_THAT(d.error(kHead + "[[axis]]\nkey = \"density\"\nrange = [100, 200]\n"),
             Catch::Contains("key 'axis[0].steps'") && Catch::Contains("a grid over a range needs steps = n"));
  CHECK_THAT(d.error(kHead + "[design]\nkind = \"random\"\n[[axis]]\nkey = \"density\"\nrange = [100, 200]\n"),
             Catch::Contains(":3: key 'design.kind' = \"random\": must be one of \"grid\", \"latin_hypercube\""));
  CHECK_THAT(d.error(kHead + "[design]\nkind = \"latin_hypercube\"\n[[axis]]\nkey = \"density\"\nrange = [100, 200]\n"),
             Catch::Contains("key 'design.runs'") && Catch::Contains("needs runs = N"));
  CHECK_THAT(d.error(kHead + "[design]\nkind = \"sobol\"\nruns = 8\n[[axis]]\nkey = \"density\"\nvalues = [100]\n"),
             Catch::Contains("key 'axis[0].values'") && Catch::Contains("write range = [lo, hi] instead"));
  CHECK_THAT(d.error(kHead + "outcomes = [\"final_gain\", \"erythema@200\"]\n[[axis]]\nkey = \"age\"\nvalues = [40]\n"),
             Catch::Contains("key 'outcomes[1]' = \"erythema@200\": day 200 is after the base config's end (day 100)"));
  CHECK_THAT(d.error(kHead + "[[axis]]\nkey = \"sessions\"\nvalues = [1.5]\n"),
             Catch::Contains("holds 1.5, but protocol.series.count takes integers"));
  CHECK_THAT(d.error(kHead + "[[axis]]\nkey = \"age\"\nvalues = [40]\n[[axis]]\nkey = \"patient.age\"\nvalues = [50]\n"),
             Catch::Contains("is swept twice"));
  CHECK_THAT(d.error(kHead + "[series]\nreadouts = [\"firmnes_gain\"]\n[[axis]]\nkey = \"age\"\nvalues = [40]\n"),
             Catch::Contains("key 'series.readouts[0]' = \"firmnes_gain\": not a readout; did you mean 'firmness_gain'?"));
  CHECK_THAT(d.error("base = \"missing.toml\"\n[[axis]]\nkey = \"age\"\nvalues = [40]\n"),
             Catch::StartsWith(file + ":1: key 'base' = \"") && Catch::Contains("cannot read the file"));
  CHECK_THAT(d.error("[[axis]]\nkey = \"age\"\nvalues = [40]\n"), Catch::Contains("a sweep needs base = "));
  CHECK_THAT(d.error(kHead), Catch::Contains("at least one [[axis]]"));
}

TEST_CASE("a run config given as a sweep spec, or a spec as a config, says which file it is", "[sweep][spec]") {
  const Dir d;
  const std::string file = (d.path / "s.toml").string();
  // `citsim sweep configs/default.toml` once said "unknown key 'model'".
  CHECK(d.error("seed = 1\n[patient]\nage = 40\n[model]\nlevel = \"1d\"\n") ==
        file + ":1: this is a run config (it has 'seed'), not a sweep spec: citsim sweep takes a spec with "
               "base = \"CONFIG.toml\" and [[axis]] tables (see configs/sweeps/ and docs/cluster.md); run this "
               "config with `citsim run " + file + "`, or name it as a spec's base");
  CHECK_THAT(d.error("[numerics]\ndz = 0.05\n"), Catch::Contains("this is a run config (it has 'numerics')"));
  // A spec with a misplaced run key is still a spec: its own message.
  CHECK_THAT(d.error(kHead + "[model]\nlevel = \"0d\"\n"), Catch::Contains("unknown key; did you mean"));
  // And the other way round: `citsim run SPEC.toml`.
  try {
    (void)parse_config(kHead + "[[axis]]\nkey = \"age\"\nvalues = [40]\n", "spec.toml");
    FAIL("a sweep spec parsed as a run config");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "spec.toml:1: this is a sweep spec (it has 'base'), not a run config: run it "
                                   "with `citsim sweep spec.toml` (docs/cluster.md)");
  }
}

TEST_CASE("integer axes hold whole numbers a config can take, no more than a million", "[sweep][spec]") {
  const Dir d;
  // range = [1, 1e12] listed every whole number until memory ran out; seed = 1e300 was rounded
  // through llround to -9223372036854775808.
  CHECK_THAT(d.error(kHead + "[[axis]]\nkey = \"sessions\"\nrange = [1, 1e12]\n"),
             Catch::Contains("key 'axis[0].range'") && Catch::Contains("holds 1e+12 whole numbers, more than the "
                                                                       "1000000 values an axis may have; give steps = n"));
  CHECK_THAT(d.error(kHead + "[[axis]]\nkey = \"seed\"\nvalues = [1e300]\n"),
             Catch::Contains("key 'axis[0].values'") && Catch::Contains("holds 1e+300, beyond the integers seed can take"));
  CHECK_THAT(d.error(kHead + "[design]\nkind = \"latin_hypercube\"\nruns = 4\n[[axis]]\nkey = \"seed\"\nrange = [0, 1e19]\n"),
             Catch::Contains("holds 1e+19, beyond the integers seed can take"));
  CHECK(d.parse(kHead + "[[axis]]\nkey = \"sessions\"\nrange = [1, 2]\n").axes[0].values == std::vector<double>{1.0, 2.0});
}

TEST_CASE("a spec or base config nested deeper than 64 levels is refused with file and line", "[sweep][spec]") {
  const Dir d;
  std::string key = "a";
  for (int i = 1; i < 50000; ++i) key += ".a";  // 100 kB: overflowed the parser's stack
  CHECK_THAT(d.error(kHead + key + " = 1\n"),
             Catch::StartsWith((d.path / "s.toml").string() + ":2: nests deeper than 64 levels") &&
                 Catch::Contains("at most 64 are allowed"));
  std::ofstream(d.path / "deep_base.toml") << "seed = 1\n[" << key << "]\n";
  CHECK_THAT(d.error("base = \"deep_base.toml\"\n[[axis]]\nkey = \"age\"\nvalues = [40]\n"),
             Catch::StartsWith((d.path / "deep_base.toml").string() + ":2: nests deeper than 64 levels"));
}

TEST_CASE("command-line overrides reach every run and the design kind", "[sweep][spec]") {
  const Dir d;
  SpecOverrides o;
  o.sets = {"patient.age=60"};
  o.design_kind = "morris";
  const SweepSpec s = parse_sweep_spec(kHead + "[[axis]]\nkey = \"k_tx\"\nrange = [2e-4, 1e-3]\n[[axis]]\nkey = "
                                               "\"eta_pen\"\nrange = [0.5, 0.9]\n",
                                       (d.path / "s.toml").string(), o);
  CHECK(s.base_sets == std::vector<std::string>{"patient.age=60"});
  CHECK(s.design.kind == DesignKind::Morris);
  o.sets = {"patient.age=200"};
  CHECK_THROWS_WITH(parse_sweep_spec(kHead + "[[axis]]\nkey = \"age\"\nvalues = [40]\n", (d.path / "s.toml").string(), o),
                    Catch::Contains("--set: key 'patient.age' = 200"));
}

TEST_CASE("unset removes base keys for every run or for one axis, so a roller's passes can replace a density",
          "[sweep][spec]") {
  const Dir d;
  std::ofstream(d.path / "pen.toml") << "[model]\nlevel = \"0d\"\n[protocol]\nend_days = 100\n"
                                        "[protocol.series]\ncount = 2\n[protocol.series.needle]\ndensity = 250\n";
  const std::string head = "base = \"pen.toml\"\n";
  const std::string passes = "[[axis]]\nkey = \"protocol.series.needle.passes\"\nvalues = [2, 4]\n";
  // for every run: removed before `set`, as --unset before --set (the base then needs passes of its own)
  const SweepSpec s = d.parse(head + "unset = [\"protocol.series.needle.density\"]\n"
                                     "set = [\"protocol.series.needle.device=roller\", \"protocol.series.needle.passes=3\"]\n" +
                              passes);
  CHECK(s.base_sets == std::vector<std::string>{unset_override("protocol.series.needle.density"),
                                                "protocol.series.needle.device=roller",
                                                "protocol.series.needle.passes=3"});
  REQUIRE(s.axes.size() == 1);
  CHECK(s.axes[0].integer);
  CHECK(s.axes[0].units == "1");
  // for one axis: the base keeps its density, each run of the axis drops it
  const SweepSpec per_axis = d.parse(head + "set = [\"protocol.series.needle.device=roller\"]\n" + passes +
                                     "unset = [\"protocol.series.needle.density\"]\n");
  CHECK(per_axis.axes[0].unset == std::vector<std::string>{"protocol.series.needle.density"});
  // without it the base's density and the axis's passes together are refused, blamed on the axis
  CHECK_THAT(d.error(head + "set = [\"protocol.series.needle.device=roller\"]\n" + passes),
             Catch::Contains("s.toml:3: key 'axis[0]' = protocol.series.needle.passes = 2: the base config") &&
                 Catch::Contains("give a roller either passes or density"));
  // a key the base does not give cannot be removed; an axis cannot remove what another sets
  CHECK_THAT(d.error(head + passes + "unset = [\"patient.age\"]\n"),
             Catch::Contains("cannot unset it: the config does not give this key"));
  CHECK_THAT(d.error(head + "[[axis]]\nkey = \"needle_length\"\nvalues = [1.0]\n" + passes +
                     "unset = [\"protocol.series.needle\"]\n"),
             Catch::Contains("key 'axis[1].unset' = \"protocol.series.needle\": would remove "
                             "protocol.series.needle.needle_length, which an earlier axis sets"));
  CHECK_THAT(d.error(head + "unset = 3\n" + passes), Catch::Contains("key 'unset' = 3: must be an array of strings"));
}

TEST_CASE("axis units and integer-ness come from the problem schema", "[sweep][spec]") {
  const Dir d;
  const SweepSpec s = d.parse(kHead + "[[axis]]\nkey = \"numerics.dt_lag\"\nvalues = [0.02]\n"
                                      "[[axis]]\nkey = \"numerics.closure_shells\"\nvalues = [4, 8]\n"
                                      "[[axis]]\nkey = \"age\"\nvalues = [40]\n"
                                      "[[axis]]\nkey = \"protocol.series.needle.sharpness\"\nvalues = [0.5]\n");
  CHECK(s.axes[0].units == "day");
  CHECK_FALSE(s.axes[0].integer);
  CHECK(s.axes[1].integer);
  CHECK(override_text(s.axes[1], 4.0) == "numerics.closure_shells=4");
  CHECK(s.axes[2].units == "year");
  CHECK(s.axes[3].units == "1");
  CHECK_THAT(d.error(kHead + "[[axis]]\nkey = \"patient.smoker\"\nvalues = [0, 1]\n"),
             Catch::Contains("key 'axis[0].key' = \"patient.smoker\": patient.smoker takes true or false, not numbers"));
}
