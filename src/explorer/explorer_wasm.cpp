// The explorer's WebAssembly entry points (README, "The explorer"): the page composes a TOML
// config from its controls and hands it here; the config reader of `citsim run` checks it (so an
// out-of-range value gets the command line's message, word for word) and `run_simulation` of the
// core integrates it. Built only by the wasm build (src/explorer/CMakeLists.txt, em++), from the
// same sources as the native program.
//
// A plain C interface, called from JavaScript with ccall:
//   citsim_explorer_run(toml)       0 ok, 2 bad config, 3 numerical failure, 1 anything else
//   citsim_explorer_text()          after a run: the JSON manifest of the result (names, units and
//                                   where each series lies in the data buffer), or the message
//   citsim_explorer_data()          the result's numbers (doubles), citsim_explorer_size() of them
//   citsim_explorer_describe(toml)  the values the page's controls show for a config (presets):
//                                   JSON, or the reader's message after "error: "
#include <emscripten/emscripten.h>

#include <chrono>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/model/species.hpp"
#include "citsim/report/json.hpp"
#include "citsim/run.hpp"
#include "citsim/version.hpp"

namespace {

using namespace citsim;

/// The name the reader puts in its messages ("explorer.toml:12: key 'patient.age' = ...").
constexpr const char* kConfigName = "explorer.toml";
constexpr int kDigits = 17;  // round-trip doubles: the page's numbers are the run's

std::string g_text;          // the manifest, or the last message
std::vector<double> g_data;  // every series of the last run, one after another

/// Appends `xs` to the buffer and writes {"offset": ..., "length": ...} into `j` under `key`.
void series(JsonWriter& j, std::string_view key, std::span<const double> xs, std::string_view units = {},
            std::string_view long_name = {}) {
  j.key(key).begin_object();
  j.key("offset").value(static_cast<double>(g_data.size()));
  j.key("length").value(static_cast<double>(xs.size()));
  if (!units.empty()) j.key("units").value(units);
  if (!long_name.empty()) j.key("long_name").value(long_name);
  j.end_object();
  g_data.insert(g_data.end(), xs.begin(), xs.end());
}

std::string manifest(const RunConfig& cfg, const RunResult& r, double seconds) {
  g_data.clear();
  JsonWriter j(kDigits);
  j.begin_object();
  j.key("version").value(kVersion);
  j.key("level").value(to_string(r.level));
  j.key("closure").value(cfg.level == ModelLevel::OneD
                             ? (cfg.numerics.closure == ColumnClosure::MeanField ? "mean-field" : "core-surround")
                             : "");
  j.key("seconds").value(seconds);
  j.key("pre_treatment_R0").value(r.pre_treatment_R0);
  j.key("warnings").begin_array();
  for (const std::string& w : r.warnings) j.value(w);
  j.end_array();
  j.key("species").begin_array();
  for (const SpeciesInfo& s : kSpeciesInfo) j.value(s.name);
  j.end_array();
  j.key("sessions").begin_array();
  for (const SessionRecord& s : r.sessions) {
    j.begin_object();
    j.key("time").value(s.session.time);
    j.key("device").value(to_string(s.session.device));
    j.key("needle_length").value(s.session.needle_length);
    j.key("density").value(s.session.density);
    j.key("d_eff").value(s.d_eff);
    j.key("d_derm").value(s.d_derm);
    j.end_object();
  }
  j.end_array();
  series(j, "time", r.time, "day");
  series(j, "z", r.z, "mm");
  series(j, "profile_time", r.profile_time, "day");
  j.key("readouts").begin_object();
  for (const Series& s : r.readouts) series(j, s.name, s.values, s.units, s.long_name);
  j.end_object();
  j.key("layers").begin_object();
  for (const LayerSeries& l : r.layers) {
    j.key(l.name).begin_object();
    for (int s = 0; s < kSpeciesCount; ++s) series(j, kSpeciesInfo[s].name, l.species[s], kSpeciesInfo[s].units);
    series(j, "collagen_synthesis", l.synthesis, "mg/cm^3/day");
    series(j, "type3_share", l.type3_share, "1");
    j.end_object();
  }
  j.end_object();
  // Layer means just before the first session: the resting levels the healing wave rises from.
  j.key("pre_treatment").begin_object();
  for (const LayerSeries& l : r.pre_treatment) {
    j.key(l.name).begin_object();
    for (int s = 0; s < kSpeciesCount; ++s) j.key(kSpeciesInfo[s].name).value(l.species[s].front());
    j.end_object();
  }
  j.end_object();
  j.key("profiles").begin_object();  // (profile_time x z), row-major
  for (int s = 0; s < kSpeciesCount; ++s) series(j, kSpeciesInfo[s].name, r.profiles[s], kSpeciesInfo[s].units);
  j.end_object();
  j.key("tissue").begin_object();
  for (const Series& s : r.tissue) series(j, s.name, s.values, s.units, s.long_name);
  j.end_object();
  j.end_object();
  return j.str();
}

/// The values of a config that the page's controls show.
std::string describe(const RunConfig& cfg) {
  JsonWriter j(kDigits);
  const Patient& p = cfg.patient;
  j.begin_object();
  j.key("patient").begin_object();
  j.key("age").value(p.age);
  j.key("laxity_cause").value(to_string(p.laxity_cause));
  j.key("smoker").value(p.smoker);
  j.key("keloid_tendency").value(p.keloid_tendency);
  j.key("anticoagulant").value(p.anticoagulant);
  j.key("sun_exposure").value(p.sun_exposure);
  j.end_object();
  j.key("protocol").begin_object();
  j.key("end_days").value(cfg.protocol.end_days);
  const std::vector<Session>& s = cfg.protocol.sessions;
  j.key("count").value(static_cast<double>(s.size()));
  j.key("first_day").value(s.empty() ? 0.0 : s.front().time);
  // A series' spacing; a list of sessions shows its first gap (the page writes a series).
  j.key("interval_days").value(s.size() > 1 ? s[1].time - s[0].time : 28.0);
  if (!s.empty()) {
    j.key("needle").begin_object();
    j.key("device").value(to_string(s.front().device));
    j.key("needle_length").value(s.front().needle_length);
    j.key("density").value(s.front().density);
    j.key("passes").value(static_cast<double>(s.front().passes));
    j.key("sharpness").value(s.front().sharpness);
    j.key("sterility").value(to_string(s.front().sterility));
    j.end_object();
  }
  j.end_object();
  j.key("output").begin_object();
  j.key("dt").value(cfg.output.dt);
  j.key("dense_dt").value(cfg.output.dense_dt);
  j.key("dense_days").value(cfg.output.dense_days);
  j.key("profile_dt").value(cfg.output.profile_dt);
  j.end_object();
  j.end_object();
  return j.str();
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE int citsim_explorer_run(const char* toml) {
  g_data.clear();
  try {
    const RunConfig cfg = parse_config(toml, kConfigName);
    const auto start = std::chrono::steady_clock::now();
    const RunResult r = run_simulation(cfg);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    g_text = manifest(cfg, r, seconds);
    return 0;
  } catch (const ConfigError& e) {
    g_text = e.what();
    return 2;
  } catch (const NumericalError& e) {
    g_text = e.what();
    return 3;
  } catch (const std::exception& e) {
    g_text = e.what();
    return 1;
  }
}

EMSCRIPTEN_KEEPALIVE const char* citsim_explorer_text() { return g_text.c_str(); }
EMSCRIPTEN_KEEPALIVE const double* citsim_explorer_data() { return g_data.data(); }
EMSCRIPTEN_KEEPALIVE int citsim_explorer_size() { return static_cast<int>(g_data.size()); }

EMSCRIPTEN_KEEPALIVE const char* citsim_explorer_describe(const char* toml) {
  try {
    g_text = describe(parse_config(toml, kConfigName));
  } catch (const std::exception& e) {
    g_text = std::string("error: ") + e.what();
  }
  return g_text.c_str();
}

}  // extern "C"
