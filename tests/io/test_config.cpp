// Tests for the TOML config reader (include/citsim/io/config.hpp): the default course, the session
// forms, --set overrides, and every failure path with the message the user reads.
#include <fmt/format.h>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/model/injury.hpp"
#include "citsim/model/tissue.hpp"
#include "citsim/numerics/field_grid.hpp"

#ifndef CITSIM_SOURCE_DIR
#define CITSIM_SOURCE_DIR "."
#endif

using namespace citsim;

namespace {

/// The message of the ConfigError that parsing `text` (as `path`) throws; fails if none.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {},
                     const std::string& path = "bad.toml") {
  try {
    parse_config(text, path, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("no ConfigError for:\n" << text);
  return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A valid single pen session, to which a test adds its own lines.
const std::string kOneSession = "[[protocol.session]]\ntime = 0\n";

}  // namespace

TEST_CASE("config: default.toml is the six-session abdominal pen course", "[config]") {
  const RunConfig cfg = load_config(CITSIM_SOURCE_DIR "/configs/default.toml");
  REQUIRE(cfg.protocol.sessions.size() == 6);
  for (std::size_t i = 0; i < 6; ++i) {
    const Session& s = cfg.protocol.sessions[i];
    CHECK(s.time == Approx(28.0 * static_cast<double>(i)));
    CHECK(s.device == Device::Pen);
    CHECK(s.needle_length == 2.0);
    CHECK(s.density == 250.0);
    CHECK(s.passes == 0);
    CHECK(s.needle_diameter == 0.25);
    CHECK(s.tip_length == 0.3);
    CHECK(s.sharpness == 1.0);
    CHECK(s.sterility == Sterility::Sterile);
  }
  CHECK(cfg.protocol.end_days == 365.0);
  CHECK_FALSE(cfg.protocol.allow_contraindicated);
  CHECK(cfg.patient.age == 40.0);
  CHECK(cfg.patient.laxity_cause == LaxityCause::Aging);
  CHECK(cfg.level == ModelLevel::OneD);
  CHECK_FALSE(cfg.aging_drift);
  CHECK(cfg.seed == 1);
  CHECK(cfg.overridden.empty());
  CHECK(cfg.warnings.empty());
  CHECK(cfg.output.path == "results/default.h5");
  CHECK(cfg.output.dt == 1.0);
  CHECK(cfg.output.dense_dt == 0.05);
  CHECK(cfg.output.dense_days == 5.0);
  CHECK(cfg.output.profile_dt == 7.0);
  const NumericsConfig defaults;
  CHECK(cfg.numerics.dz == defaults.dz);
  CHECK(cfg.numerics.rtol == defaults.rtol);
  CHECK(cfg.numerics.dt_max == defaults.dt_max);
  CHECK(cfg.source_path == CITSIM_SOURCE_DIR "/configs/default.toml");
  CHECK(contains(cfg.source_text, "[protocol.series]"));
  CHECK(to_string(cfg.level) == "1d");
  CHECK(to_string(ModelLevel::ZeroD) == "0d");
}

TEST_CASE("config: an empty config is an untreated run with every default", "[config]") {
  const RunConfig cfg = parse_config("", "empty.toml");
  CHECK(cfg.protocol.sessions.empty());
  CHECK(cfg.protocol.end_days == 365.0);
  CHECK(cfg.parameters.k_tx == default_parameters().k_tx);
  CHECK(cfg.parameters.C_reticular == 230.0);
}

TEST_CASE("config: a roller with passes gets its density from the drum", "[config]") {
  const RunConfig cfg = parse_config(R"(
[[protocol.session]]
time = 0
device = "roller"
needle_length = 0.5
passes = 15
sharpness = 0.6
sterility = "non_sterile"
)",
                                     "roller.toml");
  REQUIRE(cfg.protocol.sessions.size() == 1);
  const Session& s = cfg.protocol.sessions[0];
  CHECK(s.device == Device::Roller);
  CHECK(s.passes == 15);
  CHECK(s.density == Approx(15.0 * 192.0 / (std::numbers::pi * 4.0)));
  CHECK(s.density == Approx(229.2).margin(0.05));
  CHECK(s.sterility == Sterility::NonSterile);
  CHECK(cfg.protocol.end_days == 365.0);

  SECTION("the drum's parameters in effect are used") {
    const RunConfig big = parse_config(R"(
[[protocol.session]]
time = 0
device = "roller"
passes = 15
[model.parameters]
roller_needles = 384
)",
                                       "roller.toml");
    CHECK(big.protocol.sessions[0].density == Approx(2.0 * s.density));
  }
  SECTION("a roller may give its density directly") {
    const RunConfig d = parse_config(
        "[[protocol.session]]\ntime = 0\ndevice = \"roller\"\ndensity = 100\n", "r.toml");
    CHECK(d.protocol.sessions[0].density == 100.0);
    CHECK(d.protocol.sessions[0].passes == 0);
  }
}

TEST_CASE("config: the list form, sorted, with per-session settings", "[config]") {
  const RunConfig cfg = parse_config(R"(
[protocol]
end_days = 200

[[protocol.session]]
time = 70
needle_length = 2.5

[[protocol.session]]
time = 0
needle_length = 1.5
density = 300

[[protocol.session]]
time = 35.5
)",
                                     "list.toml");
  REQUIRE(cfg.protocol.sessions.size() == 3);
  CHECK(cfg.protocol.sessions[0].time == 0.0);
  CHECK(cfg.protocol.sessions[0].needle_length == 1.5);
  CHECK(cfg.protocol.sessions[0].density == 300.0);
  CHECK(cfg.protocol.sessions[1].time == 35.5);
  CHECK(cfg.protocol.sessions[1].needle_length == 2.0);
  CHECK(cfg.protocol.sessions[2].time == 70.0);
  CHECK(cfg.protocol.sessions[2].needle_length == 2.5);
  CHECK(cfg.protocol.end_days == 200.0);
}

TEST_CASE("config: series with one needle per session, and the end_days default", "[config]") {
  const RunConfig cfg = parse_config(R"(
[protocol.series]
count = 2
interval_days = 10
first_day = 5
[[protocol.series.needles]]
needle_length = 1.0
[[protocol.series.needles]]
device = "roller"
passes = 10
)",
                                     "series.toml");
  REQUIRE(cfg.protocol.sessions.size() == 2);
  CHECK(cfg.protocol.sessions[0].time == 5.0);
  CHECK(cfg.protocol.sessions[0].needle_length == 1.0);
  CHECK(cfg.protocol.sessions[1].time == 15.0);
  CHECK(cfg.protocol.sessions[1].device == Device::Roller);
  CHECK(cfg.protocol.end_days == 370.0);  // 365 days after the first session

  SECTION("a series without a needle table uses the professional pen") {
    const RunConfig d = parse_config("[protocol.series]\n", "s.toml");
    REQUIRE(d.protocol.sessions.size() == 6);
    CHECK(d.protocol.sessions[5].time == 140.0);
    CHECK(d.protocol.sessions[5].density == 250.0);
  }
}

TEST_CASE("config: --set overrides numbers, strings and nested parameters", "[config]") {
  const std::string path = CITSIM_SOURCE_DIR "/configs/default.toml";
  const std::vector<std::string> overrides = {
      "patient.age=60",
      "protocol.series.needle.device=roller",  // a bare word is a string
      "protocol.series.needle.needle_length = 0.5",
      "model.parameters.k_tx=0.001",
      "model.level=\"0d\"",
      "seed=42",
  };
  const RunConfig cfg = load_config(path, overrides);
  CHECK(cfg.patient.age == 60.0);
  REQUIRE(cfg.protocol.sessions.size() == 6);
  CHECK(cfg.protocol.sessions[0].device == Device::Roller);
  CHECK(cfg.protocol.sessions[0].density == 250.0);  // the file's density, now a roller's
  CHECK(cfg.protocol.sessions[0].needle_length == 0.5);
  CHECK(cfg.protocol.sessions[5].needle_length == 0.5);
  CHECK(cfg.parameters.k_tx == 0.001);
  CHECK(cfg.overridden == std::vector<std::string>{"k_tx"});
  CHECK(cfg.level == ModelLevel::ZeroD);
  CHECK(cfg.seed == 42);
  CHECK(cfg.source_text.starts_with(load_config(path).source_text));
  CHECK(
      contains(cfg.source_text,
               "\n# --set overrides\n# patient.age=60\n# protocol.series.needle.device=roller\n"));
  CHECK(contains(cfg.source_text,
                 "# model.parameters.k_tx=0.001\n# model.level=\"0d\"\n# seed=42\n"));

  SECTION("passes set on the command line give a roller's density") {
    const RunConfig c = parse_config("[protocol.series.needle]\ndevice = \"roller\"\n", "x.toml",
                                     {"protocol.series.needle.passes=15"});
    CHECK(c.protocol.sessions[0].passes == 15);
    CHECK(c.protocol.sessions[0].density == Approx(229.18).margin(0.01));
  }
  SECTION("missing tables are created") {
    const RunConfig c = parse_config("", "x.toml", {"tissue.epidermis=0.2", "numerics.dz=0.05"});
    CHECK(c.parameters.epidermis == 0.2);
    CHECK(c.numerics.dz == 0.05);
  }
  SECTION("a quoted string and a bare word are the same") {
    const RunConfig c = parse_config("", "x.toml", {"patient.laxity_cause=postpartum"});
    CHECK(c.patient.laxity_cause == LaxityCause::Postpartum);
  }
}

TEST_CASE("config: every parameter can be set by name in its section", "[config]") {
  for (const ParameterSpec& spec : parameter_table()) {
    // a value a little off the default, inside the range, so that the setting is visible
    double v = spec.default_value * 1.01;
    if (spec.default_value == 0.0) v = spec.min + 1e-3 * (spec.max - spec.min);
    if (v > spec.max) v = spec.default_value * 0.99;
    const bool tissue = spec.group == ParameterGroup::Tissue;
    const std::string text =
        fmt::format("[{}]\n{} = {}\n", tissue ? "tissue" : "model.parameters", spec.name, v);
    INFO(text);
    const RunConfig cfg = parse_config(text, "p.toml");
    CHECK(cfg.parameters.*spec.field == v);
    CHECK(cfg.overridden == std::vector<std::string>{std::string(spec.name)});
  }
}

TEST_CASE("config: seed, patient, numerics and output values are read", "[config]") {
  const RunConfig cfg = parse_config(R"(
seed = 7
[patient]
age = 65.5
laxity_cause = "weight_loss"
smoker = true
sun_exposure = 0.5
[model]
level = "0d"
aging_drift = true
[numerics]
dz = 0.05
rtol = 1e-5
dt_min = 0.001
dt_max = 0.5
[output]
path = "out/x.h5"
dense_days = 0
)",
                                     "ok.toml");
  CHECK(cfg.seed == 7);
  CHECK(cfg.patient.age == 65.5);
  CHECK(cfg.patient.laxity_cause == LaxityCause::WeightLoss);
  CHECK(cfg.patient.smoker);
  CHECK(cfg.patient.sun_exposure == 0.5);
  CHECK(cfg.level == ModelLevel::ZeroD);
  CHECK(cfg.aging_drift);
  CHECK(cfg.numerics.dz == 0.05);
  CHECK(cfg.numerics.rtol == 1e-5);
  CHECK(cfg.numerics.dt_min == 0.001);
  CHECK(cfg.numerics.dt_max == 0.5);
  CHECK(cfg.output.path == "out/x.h5");
  CHECK(cfg.output.dense_days == 0.0);
}

TEST_CASE("config: keloid tendency and anticoagulants are allowed with warnings", "[config]") {
  const RunConfig cfg = parse_config(
      "[patient]\nkeloid_tendency = true\nanticoagulant = true\n" + kOneSession, "w.toml");
  REQUIRE(cfg.warnings.size() == 2);
  CHECK(contains(cfg.warnings[0], "hypertrophic scarring"));
  CHECK(contains(cfg.warnings[1], "bleeding"));
}

// ------------------------------------------------------------------------------------------------
// Failure paths: file, line, key and the allowed text all appear in the message

TEST_CASE("config: a wrong type names file, line, key and the rule", "[config]") {
  const std::string msg = error_of("[[protocol.session]]\ntime = 0\nneedle_length = \"long\"\n");
  CHECK(msg ==
        "bad.toml:3: key 'protocol.session[0].needle_length' = \"long\": must be a number in "
        "(0, 5] mm");
  CHECK(contains(error_of("[patient]\nsmoker = 1\n"),
                 "bad.toml:2: key 'patient.smoker' = 1: "
                 "must be true or false"));
  CHECK(contains(error_of("patient = 3\n"), "bad.toml:1: key 'patient' = 3: must be a table"));
  CHECK(contains(error_of("[[protocol.session]]\ntime = 0\npasses = 1.5\ndevice = \"roller\"\n"),
                 "key 'protocol.session[0].passes' = 1.5: must be an integer in 1..100"));
  CHECK(contains(error_of("[protocol]\nsession = 3\n"),
                 "must be an array of tables: write one [[protocol.session]] block per entry"));
}

TEST_CASE("config: out of range values are refused", "[config]") {
  CHECK(error_of(kOneSession + "needle_length = 6\n") ==
        "bad.toml:3: key 'protocol.session[0].needle_length' = 6: must be a number in (0, 5] mm");
  CHECK(error_of("[patient]\nage = 130\n") ==
        "bad.toml:2: key 'patient.age' = 130: must be a number in [0, 120] years");
  CHECK(error_of("\n[numerics]\ndz = 0.6\n") ==
        "bad.toml:3: key 'numerics.dz' = 0.6: must be a number in (0, 0.5] mm");
  CHECK(contains(error_of("[numerics]\ndt_min = 2.0\n"),
                 "bad.toml:2: key 'numerics.dt_min' = 2.0: needs dt_min <= dt_max"));
  // Below the kinetics' smallest step the first step failed at once, naming no species.
  CHECK(error_of("[numerics]\ndt_min = 1e-13\n") ==
        "bad.toml:2: key 'numerics.dt_min' = 1e-13: must be a number >= 1e-12 days");
  CHECK_NOTHROW(parse_config("[numerics]\ndt_min = 1e-12\n", "ok.toml"));
  CHECK(contains(error_of("[output]\ndense_days = -1\n"), "must be a number >= 0 days"));
  CHECK(contains(error_of("[protocol.series]\ncount = 0\n"),
                 "bad.toml:2: key 'protocol.series.count' = 0: must be an integer in 1..1000"));
  CHECK(contains(error_of("seed = -1\n"), "key 'seed' = -1: must be an integer >= 0"));
  CHECK(error_of("[model.parameters]\na_N = 0.7\n") ==
        "bad.toml:2: key 'model.parameters.a_N' = 0.7: must be a number in [0, 0.5] 1/day");
  CHECK(contains(error_of("[protocol]\nend_days = 100\n[[protocol.session]]\ntime = 150\n"),
                 "bad.toml:2: key 'protocol.end_days' = 100: must be after the last session "
                 "(day 150)"));
  CHECK(contains(error_of("[protocol.series]\ncount = 20\n"),
                 "key 'protocol.end_days': the default end"));
  CHECK(contains(error_of("[[protocol.session]]\ntime = nan\n"),
                 "bad.toml:2: key 'protocol.session[0].time' = nan: must be a number >= 0 days"));
}

TEST_CASE("config: needle geometry the model cannot represent is refused", "[config]") {
  // A pen reaches eta_pen · L = 0.7 L below the surface; the domain ends at epidermis + z_bottom
  // = 0.1 + 2.9 = 3 mm, so at most 3 / 0.7 = 4.286 mm.
  CHECK(error_of(kOneSession + "needle_length = 4.5\n") ==
        "bad.toml:3: key 'protocol.session[0].needle_length' = 4.5: reaches 3.15 mm below the surface "
        "(eta_pen = 0.7 times the length), beyond the domain bottom at 3 mm (epidermis + z_bottom): must "
        "be at most 4.286 mm, or raise tissue.z_bottom");
  CHECK_NOTHROW(parse_config(kOneSession + "needle_length = 4.2\n", "ok.toml"));
  // A shallow domain makes the default needle too long; blamed on the series' needle.
  CHECK(contains(error_of("[tissue]\nz_bottom = 1.0\nz_reticular = 0.9\nz_papillary = 0.3\n[protocol.series]\ncount = 1\n"),
                 "key 'protocol.series.needle.needle_length' = 2: reaches 1.4 mm below the surface"));
  // Channels closer than the needle's diameter (10/sqrt(rho) mm < d_n): 100/d_n^2 = 1600 for 0.25 mm.
  CHECK(error_of(kOneSession + "density = 2000\n") ==
        "bad.toml:3: key 'protocol.session[0].density' = 2000: 2000 channels/cm^2 puts channels 0.224 mm "
        "apart, less than the needle diameter 0.25 mm (channels would overlap): with this needle at most "
        "1600 channels/cm^2");
  CHECK_NOTHROW(parse_config(kOneSession + "density = 1600\n", "ok.toml"));
  CHECK(contains(error_of(kOneSession + "needle_diameter = 1.0\ndensity = 200\n"),
                 "key 'protocol.session[0].density' = 200: 200 channels/cm^2 puts channels 0.707 mm apart"));
  // A roller's density comes from its passes: they are blamed.
  CHECK(contains(error_of(kOneSession + "device = \"roller\"\npasses = 100\nneedle_diameter = 0.3\n"),
                 "key 'protocol.session[0].passes' = 100: 1527.89 channels/cm^2 puts channels"));
}

TEST_CASE("config: a 2D or 3D side needs three lateral cells", "[config]") {
  CHECK(error_of("[model]\nlevel = \"3d\"\n[tissue]\nwidth_3d = 0.5\n[numerics]\ndx = 0.25\n") ==
        "bad.toml:6: key 'numerics.dx' = 0.25: gives 2 lateral cell(s) across the 3D width width_3d = 0.5 mm; a "
        "periodic side needs at least 3: dx <= 0.2 mm");
  CHECK_NOTHROW(parse_config("[model]\nlevel = \"3d\"\n[tissue]\nwidth_3d = 0.5\n[numerics]\ndx = 0.2\n", "ok.toml"));
  CHECK(contains(error_of("[model]\nlevel = \"2d\"\n[tissue]\nwidth_2d = 0.03\n"),
                 "key 'numerics.dx' = 0.02: gives 2 lateral cell(s) across the 2D width width_2d = 0.03 mm"));
  CHECK_NOTHROW(parse_config("[tissue]\nwidth_2d = 0.03\n", "ok.toml"));  // 1D: no lateral cells
}

TEST_CASE("config: an unknown key suggests the nearest valid one", "[config]") {
  CHECK(contains(error_of(kOneSession + "needle_lenght = 2.0\n"),
                 "bad.toml:3: key 'protocol.session[0].needle_lenght' = 2.0: unknown key; did you "
                 "mean 'needle_length'?"));
  CHECK(contains(error_of("[pateint]\nage = 3\n"),
                 "bad.toml:1: key 'pateint': unknown key; did you mean 'patient'?"));
  CHECK(contains(error_of("[model.parameters]\nk_txx = 0.001\n"),
                 "bad.toml:2: key 'model.parameters.k_txx' = 0.001: unknown key; did you mean "
                 "'k_tx'?"));
  CHECK(contains(error_of("[tissue]\nc_papillary = 100\n"), "did you mean 'C_papillary'?"));
  CHECK(contains(error_of("[numerics]\ndz_max = 1\n"), "did you mean 'dt_max'?"));
  CHECK(contains(error_of("[protocol.series.needle]\ntime = 3\n"),
                 "key 'protocol.series.needle.time' = 3: unknown key; a series sets the times"));
}

TEST_CASE("config: a key written at the wrong level suggests its full dotted key", "[config]") {
  // `--set age=60` once suggested the top-level key nearest to "age", seed.
  CHECK(contains(error_of("", {"age=60"}), "--set: key 'age' = 60: unknown key; did you mean 'patient.age'?"));
  CHECK(contains(error_of("", {"count=3"}), "did you mean 'protocol.series.count'?"));
  CHECK(contains(error_of("", {"needle_lenght=1.5"}), "did you mean 'protocol.series.needle.needle_length'?"));
  CHECK(contains(error_of("[numerics]\ndt = 1\n"), "key 'numerics.dt' = 1: unknown key; did you mean 'output.dt'?"));
  CHECK(contains(error_of("[patient]\nseed = 3\n"), "did you mean 'seed'?"));
  // A near miss of a key of the same table still suggests that key.
  CHECK(contains(error_of("[patient]\nsmoke = true\n"), "did you mean 'smoker'?"));
}

TEST_CASE("config: a parameter in the wrong section says where it belongs", "[config]") {
  CHECK(error_of("[tissue]\nk_tx = 0.001\n") ==
        "bad.toml:2: key 'tissue.k_tx' = 0.001: unknown key here; 'k_tx' is a model parameter: "
        "put it under [model.parameters]");
  CHECK(contains(error_of("[model.parameters]\nz_bottom = 3\n"),
                 "'z_bottom' is a tissue parameter: put it under [tissue]"));
  CHECK(contains(error_of("[model]\nk_tx = 0.001\n"),
                 "bad.toml:2: key 'model.k_tx' = 0.001: unknown key; 'k_tx' is a model parameter: "
                 "put it under [model.parameters]"));
}

TEST_CASE("config: a bad enum string lists the choices", "[config]") {
  CHECK(error_of(kOneSession + "device = \"stamp\"\n") ==
        "bad.toml:3: key 'protocol.session[0].device' = \"stamp\": must be one of \"pen\", "
        "\"roller\"");
  CHECK(contains(error_of("[patient]\nlaxity_cause = \"gravity\"\n"),
                 "must be one of \"aging\", \"postpartum\", \"weight_loss\""));
  CHECK(contains(error_of(kOneSession + "sterility = \"clean\"\n"),
                 "must be one of \"sterile\", \"non_sterile\""));
  CHECK(contains(error_of("[model]\nlevel = \"4d\"\n"), "must be one of \"0d\", \"1d\", \"2d\", \"3d\""));
}

TEST_CASE("config: contraindications are refused unless allowed", "[config]") {
  const std::string msg = error_of("[patient]\npregnant = true\n" + kOneSession);
  CHECK(contains(msg,
                 "bad.toml:2: key 'patient.pregnant' = true: microneedling is "
                 "contraindicated in pregnancy"));
  CHECK(contains(msg, "hormonal changes"));
  CHECK(contains(msg, "allow_contraindicated = true"));

  CHECK(contains(error_of("[patient]\nbreastfeeding = true\n" + kOneSession),
                 "key 'patient.breastfeeding' = true: microneedling is contraindicated while "
                 "breastfeeding"));
  const std::string infection = error_of("[patient]\nactive_skin_infection = true\n" + kOneSession);
  CHECK(contains(infection, "key 'patient.active_skin_infection' = true"));
  CHECK(contains(infection, "spread the infection through the channels"));
  CHECK(contains(infection, "allow_contraindicated = true"));

  SECTION("allow_contraindicated lets it through with a warning") {
    const RunConfig cfg = parse_config(
        "[patient]\npregnant = true\n[protocol]\nallow_contraindicated = true\n" + kOneSession,
        "ok.toml");
    CHECK(cfg.patient.pregnant);
    CHECK(cfg.protocol.sessions.size() == 1);
    REQUIRE(cfg.warnings.size() == 1);
    CHECK(contains(cfg.warnings[0], "patient.pregnant"));
  }
  SECTION("an untreated run needs no override") {
    CHECK(parse_config("[patient]\npregnant = true\n", "ok.toml").patient.pregnant);
  }
}

TEST_CASE("config: two sessions on the same day are refused, naming both", "[config]") {
  const std::string msg = error_of(R"(
[[protocol.session]]
time = 28
[[protocol.session]]
time = 0
[[protocol.session]]
time = 28.0
)");
  CHECK(msg ==
        "bad.toml:7: key 'protocol.session[2].time' = 28.0: same time as protocol.session[0] "
        "(line 3): two sessions cannot share a day");
}

TEST_CASE("config: a session list and a series together are refused", "[config]") {
  const std::string msg = error_of(R"(
[protocol.series]
count = 3
[[protocol.session]]
time = 0
)");
  CHECK(contains(msg, "bad.toml:2: key 'protocol.series'"));
  CHECK(contains(msg,
                 "either as [[protocol.session]] tables (line 4) or as [protocol.series], "
                 "not both"));
}

TEST_CASE("config: passes and density rules for pens and rollers", "[config]") {
  CHECK(contains(error_of(kOneSession + "passes = 15\n"),
                 "bad.toml:3: key 'protocol.session[0].passes' = 15: passes is for rollers only"));
  CHECK(contains(error_of(kOneSession + "device = \"roller\"\n"),
                 "bad.toml:1: key 'protocol.session[0]': a roller needs passes"));
  CHECK(contains(error_of(kOneSession + "device = \"roller\"\npasses = 15\ndensity = 200\n"),
                 "key 'protocol.session[0].passes' = 15: give a roller either passes or density"));
  CHECK(contains(error_of(R"(
[protocol.series]
count = 3
[[protocol.series.needles]]
[[protocol.series.needles]]
)"),
                 "key 'protocol.series.needles' = 2 tables: must hold exactly count = 3"));
}

TEST_CASE("config: tissue layers must be consistent", "[config]") {
  CHECK(contains(error_of("[tissue]\nz_papillary = 2.5\n"),
                 "bad.toml:2: key 'tissue.z_papillary' = 2.5: must be less than z_reticular = "
                 "2.1 mm"));
  CHECK(contains(error_of("[tissue]\nz_bottom = 2.0\n"),
                 "bad.toml:2: key 'tissue.z_bottom' = 2.0: must be greater than z_reticular = 2.1 "
                 "mm"));
  CHECK(contains(error_of("[tissue]\nepidermis = 0.5\nz_bottom = 0.45\nz_reticular = 0.44\n"),
                 "key 'tissue.epidermis' = 0.5: must be less than z_bottom"));
  CHECK(contains(error_of("\n[model.parameters]\nC_max = 200\n"),
                 "bad.toml:3: key 'model.parameters.C_max' = 200: must be greater than "
                 "C_reticular = 230 mg/cm^3"));
}

TEST_CASE("config: an unstable resting inflammatory loop is refused", "[config]") {
  const std::string msg = error_of("[model.parameters]\na_N = 0.5\na_M1 = 0.5\ns_N = 30\n");
  CHECK(contains(msg,
                 "bad.toml:2: key 'model.parameters.a_N' = 0.5: resting inflammation is "
                 "unstable: loop gain G(v_max) = "));
  CHECK(contains(msg, ">= 1; lower a_N or a_M1 (docs/model.md §3)"));
  // the defaults are stable: G(v_max) is about 0.42
  CHECK_NOTHROW(parse_config("", "ok.toml"));
}

// The reader judges a config by the model's own formulas (tissue.hpp's loop gain at its v_max,
// injury.hpp's roller density, field_grid.hpp's lateral cells), not a copy of them: a copy
// drifts, and a config it passed would then run an unstable tissue.
TEST_CASE("config: stability is judged by the model's own loop gain, at its edge", "[config]") {
  const RunConfig base = parse_config("", "ok.toml");
  Parameters p = base.parameters;
  const double per_a_N = loop_gain(p, max_vascular_density(p));
  // a_N at which the exact gain reaches 1, then values a hair either side of it
  p.a_N = 0.0;
  const double rest_without = loop_gain(p, max_vascular_density(p));
  p.a_N = base.parameters.a_N;
  const double a_edge = base.parameters.a_N * (1.0 - rest_without) / (per_a_N - rest_without);
  for (double f : {0.999, 1.001}) {
    const std::string value = fmt::format("{:.9g}", a_edge * f);
    Parameters q = base.parameters;
    q.a_N = std::stod(value);
    const bool stable = loop_gain(q, max_vascular_density(q)) < 1.0;
    INFO("a_N = " << value << ", exact G(v_max) = " << loop_gain(q, max_vascular_density(q)));
    CHECK(stable == (f < 1.0));
    if (stable)
      CHECK_NOTHROW(parse_config("[model.parameters]\na_N = " + value + "\n", "ok.toml"));
    else
      CHECK(contains(error_of("[model.parameters]\na_N = " + value + "\n"), "loop gain G(v_max) = "));
  }
}

TEST_CASE("config: a roller's density and a field's lateral cells come from the model's rules", "[config]") {
  const RunConfig roller = parse_config(
      "[[protocol.session]]\ntime = 0\ndevice = \"roller\"\nneedle_length = 0.5\npasses = 4\n",
      "ok.toml");
  REQUIRE(roller.protocol.sessions.size() == 1);
  CHECK(roller.protocol.sessions[0].density == roller_density(4, roller.parameters));
  // the smallest dx the reader refuses is the one make_field_grid refuses
  for (double dx : {0.4, 0.45}) {
    const std::string text =
        fmt::format("[model]\nlevel = \"2d\"\n[tissue]\nwidth_2d = 1.0\n[numerics]\ndx = {}\n", dx);
    const bool grid_ok = lateral_cell_count(1.0, dx) >= kMinLateralCells;
    INFO("dx = " << dx << ": " << lateral_cell_count(1.0, dx) << " cells across 1 mm");
    CHECK(grid_ok == (dx < 0.42));
    if (grid_ok) {
      CHECK_NOTHROW(parse_config(text, "ok.toml"));
      CHECK_NOTHROW(make_field_grid(1.0, 0.0, dx, 2.9, 0.025));
    } else {
      CHECK(contains(error_of(text), "a periodic side needs at least 3"));
      CHECK_THROWS(make_field_grid(1.0, 0.0, dx, 2.9, 0.025));
    }
  }
}

TEST_CASE("config: override errors name --set", "[config]") {
  CHECK(contains(error_of("", {"patient.age"}), "--set: key 'patient.age': expected key=value"));
  CHECK(error_of("", {"protocol.series.needle.needle_length=9"}) ==
        "--set: key 'protocol.series.needle.needle_length' = 9: must be a number in (0, 5] mm");
  CHECK(contains(error_of("", {"model.parameters.k_txx=1"}),
                 "--set: key 'model.parameters.k_txx' = 1: unknown key; did you mean 'k_tx'?"));
  CHECK(contains(error_of("[patient]\nage = 40\n", {"patient.age.x=1"}),
                 "--set: key 'patient.age.x' = 1: cannot set inside 'patient.age'"));
  CHECK(contains(error_of("", {"protocol.session[0].time=1"}), "--set: key 'protocol.session[0]"));
  CHECK(contains(error_of("", {"model.level=5d"}),
                 "--set: key 'model.level' = \"5d\": must be one of"));
  CHECK(contains(error_of("[protocol.series.needle]\ndevice = \"roller\"\ndensity = 250\n",
                          {"protocol.series.needle.passes=15"}),
                 "--set: key 'protocol.series.needle.passes' = 15: give a roller either passes or "
                 "density"));
  // a value from the file next to an override still names the file
  CHECK(contains(error_of("[patient]\nage = 200\n", {"patient.smoker=true"}),
                 "bad.toml:2: key 'patient.age'"));
}

TEST_CASE("config: TOML syntax errors give their line", "[config]") {
  const std::string msg = error_of("[patient]\nage = 40\nsmoker = tru\n");
  CHECK(contains(msg, "bad.toml:3: TOML syntax error: "));
}

namespace {

/// "a.a.a ... a" with `parts` parts.
std::string dotted(int parts) {
  std::string k = "a";
  for (int i = 1; i < parts; ++i) k += ".a";
  return k;
}

}  // namespace

TEST_CASE("config: a TOML text nested deeper than 64 levels is refused with its line, not a crash", "[config]") {
  const std::string limit = "at most 64 are allowed";
  // 50 000 parts (100 kB) overflowed the parser's stack; 65 already is refused, on its line.
  for (int parts : {65, 50000}) {
    CHECK(contains(error_of(fmt::format("seed = 1\n{} = 1\n", dotted(parts))), "bad.toml:2: nests deeper than 64"));
    CHECK(contains(error_of(fmt::format("seed = 1\n\n[{}]\n", dotted(parts))), "bad.toml:3: nests deeper than 64"));
    CHECK(contains(error_of(fmt::format("[[{}]]\n", dotted(parts))), limit));
  }
  // Depth adds up over headers, dotted keys, inline tables and arrays.
  CHECK(contains(error_of(fmt::format("[{}]\n{} = 1\n", dotted(40), dotted(25))), "bad.toml:2: nests"));
  CHECK(contains(error_of(fmt::format("x = {}{}\n", std::string(65, '['), std::string(65, ']'))), limit));
  std::string inline_tables = "x = ";
  for (int i = 0; i < 64; ++i) inline_tables += "{a = ";
  inline_tables += fmt::format("1{}\n", std::string(64, '}'));
  CHECK(contains(error_of(inline_tables), limit));
  // --set keys and values are bounded the same way.
  CHECK(contains(error_of("", {fmt::format("{}=1", dotted(30000))}), "--set: key 'a.a.a"));
  CHECK(contains(error_of("", {fmt::format("{}=1", dotted(30000))}), "(59999 characters)"));
  CHECK(contains(error_of("", {fmt::format("x={}{}", std::string(70, '['), std::string(70, ']'))}), "--set: key 'x'"));

  // 64 levels are still TOML (refused later as unknown keys, not for their depth); dots, brackets
  // and '#' inside strings and comments are not counted, and lines after a multi-line string
  // keep their numbers.
  const std::string deep_but_allowed = error_of(fmt::format("[{}]\n{} = 1\n", dotted(40), dotted(24)));
  CHECK_FALSE(contains(deep_but_allowed, "nests"));
  CHECK(contains(deep_but_allowed, "unknown key"));
  const std::string strings = "seed = 1 # [[[[ a.b.c {{{\n"
                              "[patient]\n"
                              "\"a.b.c.d\" = \"x.y.z [[[ {{{\"\n"
                              "'e.f' = '''\n[[[[.\n.]]'''\n"
                              "g = \"\"\"\n\\\"\"\"\\\n{{{{.\"\"\"\n"
                              "h = [[1, 2], [3, {i = 'x.]'}]]\n"
                              "agee = 1\n";
  CHECK(contains(error_of(strings), "bad.toml:3: key 'patient.a.b.c.d'"));
  const std::string many_dots = fmt::format("[patient]\nname = \"{}\"\n{} = {{b = [{}{}]}}\n", dotted(200), dotted(3),
                                            std::string(55, '['), std::string(55, ']'));
  CHECK_FALSE(contains(error_of(many_dots), "nests"));
  CHECK(contains(error_of(fmt::format("{}[{}]\n", many_dots, dotted(65))), "bad.toml:4: nests"));
}

TEST_CASE("config: an unreadable file is a ConfigError", "[config]") {
  try {
    load_config("/nonexistent/dir/none.toml");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(contains(e.what(), "/nonexistent/dir/none.toml: cannot read the file: "));
  }
}

TEST_CASE("config: numerics.closure chooses the 1D column's closure, for level 1d only", "[config]") {
  CHECK(parse_config("", "x.toml").numerics.closure == ColumnClosure::CoreSurround);  // the default (v3)
  CHECK(parse_config("[numerics]\nclosure = \"mean-field\"\n", "x.toml").numerics.closure == ColumnClosure::MeanField);
  // Other levels ignore the default; asking for a closure by name there stays an error (below).
  CHECK(parse_config("[model]\nlevel = \"2d\"\n", "x.toml").level == ModelLevel::TwoD);
  CHECK(parse_config("[numerics]\nclosure = \"core-surround\"\n", "x.toml").numerics.closure ==
        ColumnClosure::CoreSurround);
  CHECK(parse_config("", "x.toml", {"numerics.closure=core-surround-slits"}).numerics.closure ==
        ColumnClosure::CoreSurroundSlits);
  CHECK(contains(error_of("[numerics]\nclosure = \"two-zone\"\n"),
                 "bad.toml:2: key 'numerics.closure' = \"two-zone\": must be one of \"mean-field\", "
                 "\"core-surround\", \"core-surround-slits\""));
  CHECK(contains(error_of("[model]\nlevel = \"2d\"\n[numerics]\nclosure = \"core-surround\"\n"),
                 "bad.toml:4: key 'numerics.closure' = \"core-surround\": applies to model.level = \"1d\" only"));
}

TEST_CASE("config: numerics.kinetics_method chooses the Rosenbrock method of the kinetics", "[config]") {
  CHECK(parse_config("", "x.toml").numerics.kinetics_method == KineticsMethod::Ros3);  // the default
  CHECK(parse_config("[numerics]\nkinetics_method = \"rodas4\"\n", "x.toml").numerics.kinetics_method ==
        KineticsMethod::Rodas4);
  CHECK(parse_config("", "x.toml", {"numerics.kinetics_method=rodas3"}).numerics.kinetics_method ==
        KineticsMethod::Rodas3);
  CHECK(parse_config("", "x.toml", {"numerics.kinetics_method=ros34pw2"}).numerics.kinetics_method ==
        KineticsMethod::Ros34pw2);
  CHECK(contains(error_of("[numerics]\nkinetics_method = \"rk4\"\n"),
                 "bad.toml:2: key 'numerics.kinetics_method' = \"rk4\": must be one of \"rodas4\", \"ros3\", "
                 "\"rodas3\", \"ros34pw2\""));
}

TEST_CASE("config: numerics.splitting chooses how a split step couples transport and kinetics", "[config]") {
  CHECK(parse_config("", "x.toml").numerics.splitting == Splitting::Rebalanced);  // the default
  CHECK(parse_config("[numerics]\nsplitting = \"strang\"\n", "x.toml").numerics.splitting == Splitting::Strang);
  CHECK(parse_config("", "x.toml", {"numerics.splitting=rebalanced"}).numerics.splitting == Splitting::Rebalanced);
  CHECK(contains(error_of("[numerics]\nsplitting = \"lie\"\n"),
                 "bad.toml:2: key 'numerics.splitting' = \"lie\": must be one of \"rebalanced\", \"strang\""));
}

TEST_CASE("config: numerics.closure_shells resolves the closure's surround by distance", "[config]") {
  CHECK(parse_config("", "x.toml").numerics.closure_shells == 8);
  CHECK(parse_config("[numerics]\nclosure_shells = 1\n", "x.toml").numerics.closure_shells == 1);
  CHECK(parse_config("", "x.toml", {"numerics.closure_shells=3"}).numerics.closure_shells == 3);
  CHECK(parse_config("[numerics]\nclosure_shells = 64\n", "x.toml").numerics.closure_shells == 64);
  // 0 once chose a separate two-compartment closure: one shell is that closure now.
  CHECK(contains(error_of("[numerics]\nclosure_shells = 0\n"),
                 "bad.toml:2: key 'numerics.closure_shells' = 0: must be an integer in 1..64 (one shell is the "
                 "two-compartment closure)"));
  CHECK(contains(error_of("[numerics]\nclosure_shells = 0.5\n"),
                 "bad.toml:2: key 'numerics.closure_shells' = 0.5: must be an integer in 1..64"));
  CHECK(contains(error_of("[numerics]\nclosure_shells = 65\n"),
                 "bad.toml:2: key 'numerics.closure_shells' = 65: must be an integer in 1..64"));
}

TEST_CASE("config: model.parameter_file replaces the built-in table; the config's own values win", "[config]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("citsim-test-config-{}", ::getpid());
  fs::create_directories(dir / "tables");
  const auto write = [](const fs::path& p, const std::string& text) { std::ofstream(p) << text; };
  write(dir / "tables" / "mine.toml",
        "[mu_N]\nvalue = 0.7\nunit = \"1/day\"\nsource = \"a test\"\n\n"
        "[C_reticular]\nvalue = 200\nunit = \"mg/cm^3\"\nsource = \"a test\"\n");
  const std::string config = (dir / "run.toml").string();

  // 1. Relative to the config's directory; tissue and kinetic entries both apply.
  write(config, "[model]\nparameter_file = \"tables/mine.toml\"\n");
  const RunConfig c = load_config(config);
  CHECK(c.parameters.mu_N == 0.7);
  CHECK(c.parameters.C_reticular == 200.0);
  CHECK(c.parameter_file == (dir / "tables" / "mine.toml").string());
  CHECK(contains(c.parameter_table, "a test"));
  CHECK(load_config(std::string(CITSIM_SOURCE_DIR) + "/configs/default.toml").parameter_table ==
        embedded_parameter_text());  // without a file: the built-in table
  CHECK(c.parameters.k_12 == fitted_defaults().k_12);  // what it does not name stays

  // 2. [model.parameters] and [tissue] override the table.
  write(config, "[model]\nparameter_file = \"tables/mine.toml\"\n[model.parameters]\nmu_N = 0.8\n"
                "[tissue]\nC_reticular = 210\n");
  CHECK(load_config(config).parameters.mu_N == 0.8);
  CHECK(load_config(config).parameters.C_reticular == 210.0);

  // 3. Given with --set, a relative path is relative to the working directory.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir / "tables");
  write(config, "seed = 1\n");
  CHECK(load_config(config, {"model.parameter_file=mine.toml"}).parameters.mu_N == 0.7);
  fs::current_path(cwd);

  // 4. Errors name the config, the key and the resolved path; a bad table names its own line; a
  //    table whose values make rest unstable blames the key that named it.
  const std::string missing = error_of("[model]\nparameter_file = \"tables/none.toml\"\n", {}, config);
  CHECK(contains(missing, config + ":2: key 'model.parameter_file'"));
  CHECK(contains(missing, "none.toml"));
  CHECK(contains(missing, "cannot read the file"));
  write(dir / "tables" / "bad.toml", "[mu_N]\nvalue = 50\n");
  CHECK(contains(error_of("[model]\nparameter_file = \"tables/bad.toml\"\n", {}, config),
                 "bad.toml:1: key 'mu_N.value' = 50"));
  write(dir / "tables" / "unstable.toml", "[mu_N]\nvalue = 0.15\n");
  const std::string unstable = error_of("seed = 1\n[model]\nparameter_file = \"tables/unstable.toml\"\n", {}, config);
  CHECK(contains(unstable, config + ":3: key 'model.parameter_file'"));
  CHECK(contains(unstable, "loop gain"));
  CHECK(contains(error_of("[model]\nparameter_file = 3\n"), "bad.toml:2: key 'model.parameter_file' = 3"));
  CHECK(contains(error_of("[model]\nparameter_file = \"/dev/zero\"\n"), "must name a regular file"));
  fs::remove_all(dir);
}

TEST_CASE("config: a parameter table's value must be finite and in range; nan is not", "[config]") {
  // `value = nan` passed the range check (every comparison with NaN is false); with sigma_T the
  // run then failed blaming species D.
  for (const std::string v : {"nan", "+nan", "-nan", "inf", "-inf"}) {
    INFO(v);
    try {
      (void)parse_parameter_file("[sigma_T]\nvalue = " + v + "\nunit = \"-\"\n", "table.toml");
      FAIL("accepted");
    } catch (const ConfigError& e) {
      CHECK(contains(e.what(), "table.toml:1: key 'sigma_T.value'"));
      CHECK(contains(e.what(), "must be a number in [2, 30]"));
    }
  }
  CHECK_THROWS_WITH(parse_parameter_file("[C_reticular]\nvalue = 0\nunit = \"mg/cm^3\"\n", "table.toml"),
                    Catch::Contains("C_reticular.value") && Catch::Contains("[1, 399]"));
  std::string deep = "a";
  for (int i = 1; i < 50000; ++i) deep += ".a";
  CHECK_THROWS_WITH(parse_parameter_file("[mu_N]\nvalue = 1.0\n" + deep + " = 1\n", "table.toml"),
                    Catch::StartsWith("table.toml:3: nests deeper than 64 levels"));
}

TEST_CASE("config: the patient's resting collagen must stay below the packing limit", "[config]") {
  // Younger than age_ref, collagen is scaled up (x1.24 at age 0): 399 mg/cm^3 became 495, above
  // C_max = 400, and the resting production ran collagen negative (a numerical failure at day 6).
  const std::string young = error_of("[patient]\nage = 0\n[tissue]\nC_papillary = 399\n");
  CHECK(contains(young, "bad.toml:4: key 'tissue.C_papillary' = 399"));
  CHECK(contains(young, "gives this patient (age 0, laxity aging) 494.8 mg/cm^3 of resting collagen in C_papillary"));
  CHECK(contains(young, "packing limit C_max = 400"));
  CHECK(contains(error_of("[patient]\nlaxity_cause = \"postpartum\"\n[tissue]\npostpartum_C = 2.0\n"),
                 "bad.toml:4: key 'tissue.postpartum_C' = 2.0"));
  CHECK(contains(error_of("[patient]\nage = 30\n[model.parameters]\nC_max = 240\n"), "bad.toml:4: key 'model.parameters.C_max' = 240"));
  CHECK_NOTHROW(parse_config("[patient]\nage = 0\n[tissue]\nC_papillary = 320\n", "ok.toml"));
}

TEST_CASE("config: the type III share of new collagen, q3 + Delta_f3, must stay at most 1", "[config]") {
  // Beyond 1 type I synthesis is negative: q3_reticular = 0.9 with k_D0 = 0, s_N = 0 and
  // chi_Mf = 10 ran type I collagen below zero (a numerical failure at day 7).
  CHECK(contains(error_of("[tissue]\nq3_reticular = 0.9\n"),
                 "bad.toml:2: key 'tissue.q3_reticular' = 0.9: q3_reticular + Delta_f3 = 0.9 + 0.25 exceeds 1"));
  CHECK(contains(error_of("[model.parameters]\nDelta_f3 = 1.0\n"),
                 "bad.toml:2: key 'model.parameters.Delta_f3' = 1.0: q3_papillary + Delta_f3 = 0.25 + 1 exceeds 1"));
  CHECK_NOTHROW(parse_config("[tissue]\nq3_papillary = 0.75\n", "ok.toml"));
  CHECK_NOTHROW(parse_config("[tissue]\nq3_papillary = 0.0\nq3_reticular = 0.0\nq3_hypodermis = 0.0\n"
                             "[model.parameters]\nDelta_f3 = 1.0\n",
                             "ok.toml"));
}

TEST_CASE("config: --unset removes a key so that its alternative can be given", "[config]") {
  const std::string path = CITSIM_SOURCE_DIR "/configs/default.toml";
  // The default pen gives density; a roller's passes exclude it, so --set alone is refused...
  const std::vector<std::string> roller = {"protocol.series.needle.device=roller", "protocol.series.needle.passes=4",
                                           "protocol.series.needle.needle_length=0.5"};
  try {
    load_config(path, roller);
    FAIL("a roller with both passes and density was accepted");
  } catch (const ConfigError& e) {
    CHECK(contains(e.what(), "either passes or density"));
  }
  // ... and accepted once density is removed; the recorded config says so.
  std::vector<std::string> edits = {unset_override("protocol.series.needle.density")};
  edits.insert(edits.end(), roller.begin(), roller.end());
  const RunConfig cfg = load_config(path, edits);
  REQUIRE(!cfg.protocol.sessions.empty());
  CHECK(cfg.protocol.sessions[0].device == Device::Roller);
  CHECK(cfg.protocol.sessions[0].density == roller_density(4, cfg.parameters));
  CHECK(contains(cfg.source_text, "# unset protocol.series.needle.density\n"));
  // Removing a whole table: the parameters the config set go back to the fitted table's.
  const RunConfig plain = parse_config("[model.parameters]\nk_tx = 0.001\n", "p.toml", {unset_override("model.parameters")});
  CHECK(plain.parameters.k_tx == fitted_defaults().k_tx);
  // What the config does not give cannot be removed, and the message names the key.
  CHECK(contains(error_of("", {unset_override("patient.age")}),
                 "--unset: key 'patient.age': cannot unset it: the config does not give this key"));
  CHECK(contains(error_of("", {unset_override("protocol..x")}), "--unset: key 'protocol..x': the key must be bare names"));
}
