// Reading a run's TOML config (docs/model.md §1, §2, §6). Every value is type- and range-checked,
// unknown keys are refused with a suggestion, and `--set` overrides are applied to the TOML tree
// before any of that, so an override is checked exactly like the file (and blamed on "--set").
#include "citsim/io/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/io/parameter_file.hpp"
#include "citsim/model/injury.hpp"
#include "citsim/model/tissue.hpp"
#include "citsim/numerics/field_grid.hpp"
#include "citsim/numerics/kinetics_stepper.hpp"
#include "detail/toml_text.hpp"

namespace citsim {

namespace {

using toml_text::line_of;
using toml_text::nearest;
using toml_text::plain_list;
using toml_text::quote;
using toml_text::render;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::string_view kOverrideFile = "--set";
constexpr std::string_view kUnsetFile = "--unset";

// ---------------------------------------------------------------------------------------------
// Small text helpers

std::string join_key(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

std::string quoted_list(std::span<const std::string_view> names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : ", ") + quote(names[i]);
  return out;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

/// At most 80 characters of `s`, for messages about text that may be huge.
std::string shortened(const std::string& s) {
  constexpr std::size_t kShown = 80;
  return s.size() <= kShown ? s : fmt::format("{}... ({} characters)", s.substr(0, kShown), s.size());
}

/// " mm" for a unit, nothing for dimensionless ("-" in the parameter table).
std::string unit_suffix(std::string_view unit) {
  if (unit.empty() || unit == "-") return {};
  return fmt::format(" {}", unit);  // not " " + std::string: GCC 12 warns falsely (-Wrestrict)
}

/// An allowed interval of a number, each end open or closed; values must be finite.
struct Range {
  double lo;
  double hi;
  bool lo_open;
  bool hi_open;

  bool contains(double x) const {
    if (!std::isfinite(x)) return false;
    const bool above = lo_open ? x > lo : x >= lo;
    const bool below = hi_open ? x < hi : x <= hi;
    return above && below;
  }
  std::string describe(std::string_view unit) const {
    const std::string u = unit_suffix(unit);
    if (hi == kInf) return fmt::format("{} {:g}{}", lo_open ? ">" : ">=", lo, u);
    return fmt::format("in {}{:g}, {:g}{}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]", u);
  }
};

constexpr Range positive{0.0, kInf, true, true};
constexpr Range non_negative{0.0, kInf, false, true};
constexpr Range open_closed(double lo, double hi) { return {lo, hi, true, false}; }
constexpr Range closed(double lo, double hi) { return {lo, hi, false, false}; }

// ---------------------------------------------------------------------------------------------
// The keys each table accepts (a contract: scripts and sweeps write them; configs/default.toml
// documents them)

constexpr std::array<std::string_view, 7> kTopKeys = {"seed",  "patient",  "protocol", "tissue",
                                                      "model", "numerics", "output"};
constexpr std::array<std::string_view, 9> kPatientKeys = {
    "age",          "laxity_cause", "smoker",        "keloid_tendency",      "anticoagulant",
    "sun_exposure", "pregnant",     "breastfeeding", "active_skin_infection"};
constexpr std::array<std::string_view, 4> kProtocolKeys = {"end_days", "allow_contraindicated",
                                                           "session", "series"};
constexpr std::array<std::string_view, 9> kSessionKeys = {
    "time",       "device",    "needle_length", "density", "passes", "needle_diameter",
    "tip_length", "sharpness", "sterility"};
constexpr std::array<std::string_view, 5> kSeriesKeys = {"count", "interval_days", "first_day",
                                                         "needle", "needles"};
constexpr std::array<std::string_view, 4> kModelKeys = {"level", "aging_drift", "parameter_file", "parameters"};
constexpr std::array<std::string_view, 12> kNumericsKeys = {
    "dz",     "dx",     "rtol",   "atol",   "kinetics_method", "splitting",
    "dt_rel", "dt_lag", "dt_min", "dt_max", "closure",         "closure_shells"};
constexpr std::array<std::string_view, 5> kOutputKeys = {"path", "dt", "dense_dt", "dense_days",
                                                         "profile_dt"};

/// Every key and table of a config but the parameters, in full ("patient.age"), for suggestions
/// when a key is written at the wrong level (`--set age=60`).
std::vector<std::string> all_config_keys() {
  std::vector<std::string> keys;
  const auto add = [&keys](std::string_view prefix, std::span<const std::string_view> names) {
    for (std::string_view n : names) keys.push_back(prefix.empty() ? std::string(n) : fmt::format("{}.{}", prefix, n));
  };
  add("", kTopKeys);
  add("patient", kPatientKeys);
  add("protocol", kProtocolKeys);
  add("protocol.series", kSeriesKeys);
  add("protocol.series.needle", std::span(kSessionKeys).subspan(1));  // all but time
  add("protocol.session", kSessionKeys);
  add("model", kModelKeys);
  add("numerics", kNumericsKeys);
  add("output", kOutputKeys);
  return keys;
}

std::string_view last_part(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

constexpr std::array<std::pair<std::string_view, Device>, 2> kDevices = {
    {{"pen", Device::Pen}, {"roller", Device::Roller}}};
constexpr std::array<std::pair<std::string_view, Sterility>, 2> kSterilities = {
    {{"sterile", Sterility::Sterile}, {"non_sterile", Sterility::NonSterile}}};
constexpr std::array<std::pair<std::string_view, LaxityCause>, 3> kLaxityCauses = {
    {{"aging", LaxityCause::Aging},
     {"postpartum", LaxityCause::Postpartum},
     {"weight_loss", LaxityCause::WeightLoss}}};
constexpr std::array<std::pair<std::string_view, ModelLevel>, 4> kLevels = {
    {{"0d", ModelLevel::ZeroD}, {"1d", ModelLevel::OneD}, {"2d", ModelLevel::TwoD}, {"3d", ModelLevel::ThreeD}}};
constexpr std::array<std::pair<std::string_view, ColumnClosure>, 3> kClosures = {
    {{"mean-field", ColumnClosure::MeanField},
     {"core-surround", ColumnClosure::CoreSurround},
     {"core-surround-slits", ColumnClosure::CoreSurroundSlits}}};

constexpr std::array<std::pair<std::string_view, KineticsMethod>, 4> kKineticsMethods = {
    {{"rodas4", KineticsMethod::Rodas4},
     {"ros3", KineticsMethod::Ros3},
     {"rodas3", KineticsMethod::Rodas3},
     {"ros34pw2", KineticsMethod::Ros34pw2}}};

constexpr std::array<std::pair<std::string_view, Splitting>, 2> kSplittings = {
    {{"rebalanced", Splitting::Rebalanced}, {"strang", Splitting::Strang}}};

/// "put it under [...]" for a parameter name written in the wrong place.
std::string parameter_home(const ParameterSpec& spec) {
  return spec.group == ParameterGroup::Tissue
             ? fmt::format("'{}' is a tissue parameter: put it under [tissue]", spec.name)
             : fmt::format("'{}' is a model parameter: put it under [model.parameters]", spec.name);
}

// ---------------------------------------------------------------------------------------------
// --set overrides

/// The parts of a dotted key; throws unless each is a bare TOML name.
std::vector<std::string> key_parts(const std::string& key, const std::string& override_text,
                                   std::string_view source = kOverrideFile) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& part : parts) {
    const bool bare = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!bare)
      throw ConfigError(std::string(source), 0, override_text, "",
                        "the key must be bare names joined by dots, e.g. "
                        "model.parameters.k_tx (arrays of tables cannot be set)");
  }
  return parts;
}

/// Removes `key` (a value or a whole table) from `root`: `--unset`, so that a key the config
/// gives can be replaced by one it excludes (a roller's density by its passes).
void unset_key(toml::table& root, const std::string& key) {
  if (std::count(key.begin(), key.end(), '.') >= toml_text::kMaxNesting)
    throw ConfigError(std::string(kUnsetFile), 0, shortened(key), "", "the key " + toml_text::too_deep_message());
  const std::vector<std::string> parts = key_parts(key, key, kUnsetFile);
  toml::table* t = &root;
  for (std::size_t i = 0; i + 1 < parts.size() && t != nullptr; ++i) {
    toml::node* next = t->get(parts[i]);
    t = next != nullptr ? next->as_table() : nullptr;
  }
  if (t == nullptr || !t->contains(parts.back()))
    throw ConfigError(std::string(kUnsetFile), 0, key, "",
                      "cannot unset it: the config does not give this key (only a key the config file "
                      "or an earlier --set gives can be removed)");
  t->erase(parts.back());
}

/// Applies "dotted.key=value" strings (and "unset dotted.key") to `root`, in order; returns the
/// keys they set.
std::set<std::string, std::less<>> apply_overrides(toml::table& root,
                                                   const std::vector<std::string>& overrides) {
  std::set<std::string, std::less<>> keys;
  for (const auto& o : overrides) {
    if (o.rfind(kUnsetPrefix, 0) == 0) {
      unset_key(root, trim(std::string_view(o).substr(kUnsetPrefix.size())));
      continue;
    }
    const auto eq = o.find('=');
    if (eq == std::string::npos)
      throw ConfigError(std::string(kOverrideFile), 0, o, "",
                        "expected key=value, e.g. --set protocol.series.count=3");
    const std::string key = trim(std::string_view(o).substr(0, eq));
    const std::string value = trim(std::string_view(o).substr(eq + 1));

    // The same bound as for a file (toml_structure.hpp): the tree below is freed recursively.
    if (std::count(key.begin(), key.end(), '.') >= toml_text::kMaxNesting)
      throw ConfigError(std::string(kOverrideFile), 0, shortened(key), "",
                        "the key " + toml_text::too_deep_message());
    if (toml_text::too_deep_line("x = " + value))
      throw ConfigError(std::string(kOverrideFile), 0, key, shortened(value),
                        "the value " + toml_text::too_deep_message());

    const std::vector<std::string> parts = key_parts(key, o);

    // The value is TOML if it parses as one ("3", "true", "\"pen\"", "[1, 2]"), else a string,
    // so `device=roller` needs no quotes on a shell command line.
    toml::table snippet;
    bool parsed = false;
    try {
      snippet = toml::parse("x = " + value);
      parsed = snippet.size() == 1 && snippet.contains("x");
    } catch (const toml::parse_error&) {
    }
    if (!parsed) {
      snippet = toml::table{};
      snippet.insert_or_assign("x", value);
    }

    toml::table* t = &root;
    std::string walked;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      walked = join_key(walked, parts[i]);
      toml::node* next = t->get(parts[i]);
      if (!next) next = &t->insert_or_assign(parts[i], toml::table{}).first->second;
      if (!next->is_table())
        throw ConfigError(std::string(kOverrideFile), 0, key, value,
                          fmt::format("cannot set inside '{}': it is not a table", walked));
      t = next->as_table();
    }
    t->insert_or_assign(parts.back(), std::move(*snippet.get("x")));
    keys.insert(key);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Checked reading: every failure becomes a ConfigError naming file, line, key, value, rule

class Reader {
 public:
  Reader(std::string path, std::set<std::string, std::less<>> overridden)
      : path_(std::move(path)), overridden_(std::move(overridden)) {}

  /// Whether `key` (or a table holding it) was set by --set rather than the file.
  bool from_override(std::string_view key, const toml::node* n) const {
    for (std::size_t i = 0; i <= key.size(); ++i)
      if ((i == key.size() || key[i] == '.' || key[i] == '[') &&
          overridden_.find(key.substr(0, i)) != overridden_.end())
        return true;
    // a table that --set created has no place in the file
    if (n && line_of(n) == 0) {
      const std::string prefix = std::string(key) + ".";
      for (const auto& o : overridden_)
        if (o.starts_with(prefix)) return true;
    }
    return false;
  }

  [[noreturn]] void fail(std::string_view key, const toml::node* n, std::string value,
                         std::string allowed) const {
    if (from_override(key, n))
      throw ConfigError(std::string(kOverrideFile), 0, std::string(key), std::move(value),
                        std::move(allowed));
    throw ConfigError(path_, line_of(n), std::string(key), std::move(value), std::move(allowed));
  }

  /// Fails quoting the node's value as written.
  [[noreturn]] void reject(std::string_view key, const toml::node& n, std::string allowed) const {
    fail(key, &n, render(n), std::move(allowed));
  }

  double number(const toml::node& n, std::string_view key, const Range& r,
                std::string_view unit) const {
    std::optional<double> x;
    if (const auto* f = n.as_floating_point()) x = f->get();
    if (const auto* i = n.as_integer()) x = static_cast<double>(i->get());
    if (!x || !r.contains(*x)) reject(key, n, "must be a number " + r.describe(unit));
    return *x;
  }

  /// `note`, if any, follows the allowed range in the message, in parentheses.
  std::int64_t integer(const toml::node& n, std::string_view key, std::int64_t lo,
                       std::int64_t hi, std::string_view note = {}) const {
    const auto* i = n.as_integer();
    if (!i || i->get() < lo || i->get() > hi)
      reject(key, n,
             (hi == std::numeric_limits<std::int64_t>::max()
                  ? fmt::format("must be an integer >= {}", lo)
                  : fmt::format("must be an integer in {}..{}", lo, hi)) +
                 (note.empty() ? std::string() : fmt::format(" ({})", note)));
    return i->get();
  }

  bool boolean(const toml::node& n, std::string_view key) const {
    const auto* b = n.as_boolean();
    if (!b) reject(key, n, "must be true or false");
    return b->get();
  }

  std::string string(const toml::node& n, std::string_view key, std::string_view what) const {
    const auto* s = n.as_string();
    if (!s || s->get().empty())
      reject(key, n, fmt::format("must be a non-empty string ({})", what));
    return s->get();
  }

  template <class E, std::size_t N>
  E choice(const toml::node& n, std::string_view key,
           const std::array<std::pair<std::string_view, E>, N>& options) const {
    if (const auto* s = n.as_string())
      for (const auto& [name, value] : options)
        if (s->get() == name) return value;
    std::array<std::string_view, N> names;
    for (std::size_t i = 0; i < N; ++i) names[i] = options[i].first;
    reject(key, n, "must be one of " + quoted_list(names));
  }

  const toml::table& table(const toml::node& n, std::string_view key) const {
    const auto* t = n.as_table();
    if (!t) reject(key, n, fmt::format("must be a table: write [{}] and its keys below it", key));
    return *t;
  }

  /// Refuses any key of `t` not in `valid`, suggesting the nearest valid one.
  void check_keys(const toml::table& t, std::string_view prefix,
                  std::span<const std::string_view> valid) const {
    for (const auto& [k, n] : t) {
      if (std::find(valid.begin(), valid.end(), k.str()) != valid.end()) continue;
      const std::string key = join_key(prefix, k.str());
      if (const auto* spec = find_parameter(k.str()))
        reject(key, n, "unknown key; " + parameter_home(*spec));
      // The nearest key here, unless a key of another table is nearer by its last part: `age`
      // at the top is patient.age, not seed.
      std::string suggestion(nearest(k.str(), valid));
      std::size_t best = edit_distance(k.str(), suggestion);
      for (const std::string& full : all_config_keys()) {
        const std::size_t d = edit_distance(k.str(), last_part(full));
        if (d < best) {  // never one of this table's own keys: `valid` holds them, and best <= theirs
          best = d;
          suggestion = full;
        }
      }
      reject(key, n,
             fmt::format("unknown key; did you mean '{}'? (keys here: {})", suggestion, plain_list(valid)));
    }
  }

 private:
  std::string path_;
  std::set<std::string, std::less<>> overridden_;
};

/// Where a parameter was set, for messages about combinations of parameters.
struct ParameterSource {
  std::string key;  ///< "tissue.z_bottom", "model.parameters.k_tx"
  const toml::node* node;
};
using ParameterSources = std::map<std::string, ParameterSource, std::less<>>;

std::string parameter_key(const ParameterSpec& spec) {
  return join_key(spec.group == ParameterGroup::Tissue ? "tissue" : "model.parameters", spec.name);
}

/// `[tissue]` (tissue == true) or `[model.parameters]`: names from the parameter table.
void read_parameters(const Reader& rd, const toml::table& t, bool tissue, Parameters& p,
                     ParameterSources& sources, std::vector<std::string>& overridden) {
  const std::string_view section = tissue ? "tissue" : "model.parameters";
  std::vector<std::string_view> names;  // the names valid in this section, for suggestions
  for (const auto& s : parameter_table())
    if ((s.group == ParameterGroup::Tissue) == tissue) names.push_back(s.name);

  for (const auto& [k, n] : t) {
    const std::string key = join_key(section, k.str());
    const ParameterSpec* spec = find_parameter(k.str());
    if (!spec)
      rd.reject(key, n, fmt::format("unknown key; did you mean '{}'?", nearest(k.str(), names)));
    if ((spec->group == ParameterGroup::Tissue) != tissue)
      rd.reject(key, n, "unknown key here; " + parameter_home(*spec));
    p.*spec->field = rd.number(n, key, closed(spec->min, spec->max), spec->unit);
    sources[std::string(spec->name)] = {key, &n};
    overridden.emplace_back(spec->name);
  }
}

/// `model.parameter_file`: a parameter table in the format `citsim calibrate` writes, replacing
/// the built-in table's values. A path in the file is relative to the config's directory; one
/// given with --set is relative to the working directory, as any path on a command line.
void read_parameter_file(const Reader& rd, const toml::node& n, const std::string& config_path, RunConfig& cfg,
                         ParameterSources& sources) {
  constexpr std::string_view key = "model.parameter_file";
  const std::string written = rd.string(n, key, "a parameter table as `citsim calibrate` writes it");
  const bool overridden = rd.from_override(key, &n);
  std::filesystem::path file(written);
  if (file.is_relative() && !overridden) file = std::filesystem::path(config_path).parent_path() / file;
  cfg.parameter_file = file.lexically_normal().string();
  // A table is a file on disk: a device or a pipe named here (by a typo or a fuzzer) must not
  // be read until it ends.
  std::error_code ec;
  if (std::filesystem::exists(cfg.parameter_file, ec) && !std::filesystem::is_regular_file(cfg.parameter_file, ec))
    rd.fail(key, &n, quote(cfg.parameter_file), "must name a regular file (a parameter table), not a device, pipe or directory");
  cfg.parameter_table = toml_text::read_file(cfg.parameter_file, overridden ? std::string(kOverrideFile) : config_path,
                                                 overridden ? 0 : line_of(&n), std::string(key));
  // A combination the table makes impossible (an unstable resting loop) is blamed on this key.
  for (const FittedValue& v : parse_parameter_file(cfg.parameter_table, cfg.parameter_file)) {
    cfg.parameters.*find_parameter(v.name)->field = v.value;
    sources[v.name] = {std::string(key), &n};
  }
}

/// Reports an inconsistent parameter combination at the first of `names` the config set.
[[noreturn]] void fail_parameters(const Reader& rd, const ParameterSources& sources,
                                  const Parameters& p, std::span<const std::string_view> names,
                                  const std::string& allowed) {
  for (auto name : names)
    if (const auto it = sources.find(name); it != sources.end())
      rd.reject(it->second.key, *it->second.node, allowed);
  const ParameterSpec& spec = *find_parameter(names.front());
  rd.fail(parameter_key(spec), nullptr, fmt::format("{}", p.*spec.field), allowed);
}

/// docs/model.md §1: the layers must be ordered and hold less collagen than the packing limit.
void check_tissue(const Reader& rd, const Parameters& p, const ParameterSources& sources) {
  // Blames `lower` (must be below `upper`) if the config set it, else `upper`.
  const auto require_below = [&](std::string_view lower, std::string_view upper,
                                 std::string_view unit, std::string_view rule) {
    const double a = p.*find_parameter(lower)->field;
    const double b = p.*find_parameter(upper)->field;
    if (a < b) return;
    const bool blame_lower = sources.contains(lower) || !sources.contains(upper);
    const std::array<std::string_view, 2> names = {blame_lower ? lower : upper,
                                                   blame_lower ? upper : lower};
    fail_parameters(
        rd, sources, p, names,
        fmt::format("must be {} {} = {}{}: {}", blame_lower ? "less than" : "greater than",
                    blame_lower ? upper : lower, blame_lower ? b : a, unit_suffix(unit), rule));
  };
  constexpr std::string_view layers =
      "the layers need 0 < z_papillary < z_reticular < z_bottom and epidermis < z_bottom";
  if (!(p.z_papillary > 0.0)) {
    const std::array<std::string_view, 1> names = {"z_papillary"};
    fail_parameters(rd, sources, p, names, std::string("must be > 0 mm: ") + std::string(layers));
  }
  require_below("z_papillary", "z_reticular", "mm", layers);
  require_below("z_reticular", "z_bottom", "mm", layers);
  require_below("epidermis", "z_bottom", "mm", layers);
  for (std::string_view c : {"C_papillary", "C_reticular", "C_hypodermis"})
    require_below(c, "C_max", "mg/cm^3",
                  "each layer's resting collagen must be below the packing limit C_max "
                  "(docs/model.md §3)");
}

/// docs/model.md §3: the patient's resting collagen (a layer's, times the age and laxity factors, which
/// exceed 1 below age_ref or for a laxity factor above 1) must stay below the packing limit too:
/// resting production divides by 1 - C/C_max, and above it the collagen runs negative.
void check_patient_collagen(const Reader& rd, const Parameters& p, const Patient& patient,
                            const ParameterSources& sources) {
  const Parameters eff = effective_parameters(p, patient);
  for (const auto& [layer, effective] : {std::pair<std::string_view, double>{"C_papillary", eff.C_papillary},
                                         {"C_reticular", eff.C_reticular},
                                         {"C_hypodermis", eff.C_hypodermis}}) {
    if (effective < p.C_max) continue;
    // Blamed on the first of these the config set: the layer, the limit, then the factors.
    std::vector<std::string_view> names = {layer, "C_max", "age_C_slope", "age_ref"};
    if (patient.laxity_cause == LaxityCause::Postpartum) names.push_back("postpartum_C");
    if (patient.laxity_cause == LaxityCause::WeightLoss) names.push_back("weight_loss_C");
    fail_parameters(rd, sources, p, names,
                    fmt::format("gives this patient (age {:g}, laxity {}) {:.4g} mg/cm^3 of resting collagen in "
                                "{} (x{:.3g} for age and laxity), not below the packing limit C_max = {:g} "
                                "mg/cm^3 (docs/model.md §3)",
                                patient.age, to_string(patient.laxity_cause), effective, layer,
                                effective / (p.*find_parameter(layer)->field), p.C_max));
  }
}

/// docs/model.md §3: the type III share of the collagen fibroblasts make, q3 + Delta_f3·h(T) with
/// h < 1, must stay at most 1 in every layer; beyond it type I synthesis is negative and type I
/// collagen runs below zero.
void check_type3_share(const Reader& rd, const Parameters& p, const ParameterSources& sources) {
  for (std::string_view layer : {"q3_papillary", "q3_reticular", "q3_hypodermis"}) {
    const double q3 = p.*find_parameter(layer)->field;
    if (q3 + p.Delta_f3 <= 1.0) continue;
    const bool blame_share = sources.contains(layer) || !sources.contains("Delta_f3");
    const std::array<std::string_view, 2> names = {blame_share ? layer : "Delta_f3",
                                                   blame_share ? "Delta_f3" : layer};
    fail_parameters(rd, sources, p, names,
                    fmt::format("{} + Delta_f3 = {:g} + {:g} exceeds 1: the type III share of new collagen, "
                                "q3 + Delta_f3 h(T), must stay at most 1 (docs/model.md §3)",
                                layer, q3, p.Delta_f3));
  }
}

void check_loop_gain(const Reader& rd, const Parameters& p, const ParameterSources& sources) {
  static constexpr std::array<std::string_view, 4> vessels = {"v_base", "v_subpapillary", "v_deep",
                                                              "plexus_width"};
  // The model's own v_max and loop gain (tissue.hpp), so that what is checked here is what the
  // simulation's tissue will be.
  if (!(vascular_dermis_mean(p) > 0.0))
    fail_parameters(rd, sources, p, vessels,
                    "the dermis needs a positive vascular density (v_base, v_subpapillary, "
                    "v_deep) to normalise v(z) (docs/model.md §1)");
  const double g = loop_gain(p, max_vascular_density(p));
  if (g < 1.0) return;
  static constexpr std::array<std::string_view, 19> names = {
      "a_N",    "a_M1",         "s_N",          "s_M",
      "K_N",    "K_M",          "mu_N",         "mu_M",
      "k_12",   "delta_Cp",     "v_base",       "v_subpapillary",
      "v_deep", "v_hypodermis", "plexus_width", "z_subpapillary",
      "z_deep", "z_papillary",  "z_reticular"};
  fail_parameters(rd, sources, p, names,
                  fmt::format("resting inflammation is unstable: loop gain G(v_max) = {:.3g} >= 1; "
                              "lower a_N or a_M1 (docs/model.md §3)",
                              g));
}

// ---------------------------------------------------------------------------------------------
// Sections

Patient read_patient(const Reader& rd, const toml::table& t) {
  rd.check_keys(t, "patient", kPatientKeys);
  Patient pt;
  for (const auto& [k, n] : t) {
    const std::string key = join_key("patient", k.str());
    if (k == "age")
      pt.age = rd.number(n, key, closed(0.0, 120.0), "years");
    else if (k == "laxity_cause")
      pt.laxity_cause = rd.choice(n, key, kLaxityCauses);
    else if (k == "smoker")
      pt.smoker = rd.boolean(n, key);
    else if (k == "keloid_tendency")
      pt.keloid_tendency = rd.boolean(n, key);
    else if (k == "anticoagulant")
      pt.anticoagulant = rd.boolean(n, key);
    else if (k == "sun_exposure")
      pt.sun_exposure = rd.number(n, key, closed(0.0, 1.0), "");
    else if (k == "pregnant")
      pt.pregnant = rd.boolean(n, key);
    else if (k == "breastfeeding")
      pt.breastfeeding = rd.boolean(n, key);
    else if (k == "active_skin_infection")
      pt.active_skin_infection = rd.boolean(n, key);
  }
  return pt;
}

/// Needle geometry the model cannot represent (docs/model.md §2): a needle reaching below the domain
/// bottom, and channels denser than needles can be placed (mean spacing below the needle's
/// diameter: neighbouring channels would overlap).
void check_needle_geometry(const Reader& rd, const toml::table& t, const std::string& prefix, const Session& s,
                           const Parameters& p) {
  const double eta = s.device == Device::Pen ? p.eta_pen : p.eta_roller;
  const double floor_depth = p.epidermis + p.z_bottom;  // skin surface to the domain bottom [mm]
  if (eta * s.needle_length > floor_depth) {
    const toml::node* n = t.get("needle_length");
    rd.fail(join_key(prefix, "needle_length"), n ? n : &t, fmt::format("{}", s.needle_length),
            fmt::format("reaches {:g} mm below the surface ({} = {:g} times the length), beyond the domain bottom "
                        "at {:g} mm (epidermis + z_bottom): must be at most {:.4g} mm, or raise tissue.z_bottom",
                        eta * s.needle_length, s.device == Device::Pen ? "eta_pen" : "eta_roller", eta, floor_depth,
                        floor_depth / eta));
  }
  const double spacing = 10.0 / std::sqrt(s.density);  // mean channel spacing [mm]; 1 cm = 10 mm
  if (spacing < s.needle_diameter) {
    const toml::node* passes = t.get("passes");
    const toml::node* density = t.get("density");
    const bool by_passes = passes && !density;
    const toml::node* n = by_passes ? passes : density ? density : &t;
    rd.fail(join_key(prefix, by_passes ? "passes" : "density"), n,
            by_passes ? fmt::format("{}", s.passes) : fmt::format("{}", s.density),
            fmt::format("{:g} channels/cm^2 puts channels {:.3g} mm apart, less than the needle diameter {:g} mm "
                        "(channels would overlap): with this needle at most {:.4g} channels/cm^2",
                        s.density, spacing, s.needle_diameter, 100.0 / (s.needle_diameter * s.needle_diameter)));
  }
}

/// One needle setting: a [[protocol.session]] (with_time) or a series needle (time from the
/// series).
Session read_session(const Reader& rd, const toml::table& t, const std::string& prefix,
                     bool with_time, const Parameters& p) {
  if (!with_time)
    if (const auto* n = t.get("time"))
      rd.reject(join_key(prefix, "time"), *n,
                "unknown key; a series sets the times itself (first_day + k * interval_days): "
                "for explicit times use [[protocol.session]] tables instead");
  rd.check_keys(t, prefix, kSessionKeys);

  Session s;
  const toml::node* density = t.get("density");
  const toml::node* passes = t.get("passes");
  for (const auto& [k, n] : t) {
    const std::string key = join_key(prefix, k.str());
    if (k == "time")
      s.time = rd.number(n, key, non_negative, "days");
    else if (k == "device")
      s.device = rd.choice(n, key, kDevices);
    else if (k == "needle_length")
      s.needle_length = rd.number(n, key, open_closed(0, 5), "mm");
    else if (k == "density")
      s.density = rd.number(n, key, open_closed(0, 5000), "channels/cm^2");
    else if (k == "passes")
      s.passes = static_cast<int>(rd.integer(n, key, 1, 100));
    else if (k == "needle_diameter")
      s.needle_diameter = rd.number(n, key, open_closed(0, 2), "mm");
    else if (k == "tip_length")
      s.tip_length = rd.number(n, key, open_closed(0, 3), "mm");
    else if (k == "sharpness")
      s.sharpness = rd.number(n, key, open_closed(0, 1), "");
    else if (k == "sterility")
      s.sterility = rd.choice(n, key, kSterilities);
  }

  const std::string passes_key = join_key(prefix, "passes");
  if (s.device == Device::Pen) {
    if (passes)
      rd.reject(passes_key, *passes,
                "passes is for rollers only (device = \"roller\"); a pen takes density "
                "(channels/cm^2)");
    check_needle_geometry(rd, t, prefix, s, p);
    return s;
  }
  if (density && passes)
    rd.reject(passes_key, *passes,
              "give a roller either passes or density (channels/cm^2), not both");
  if (!density && !passes)
    rd.fail(prefix, &t, "",
            "a roller needs passes (integer 1..100) or density (channels/cm^2, (0, 5000])");
  if (passes) {
    s.density = roller_density(s.passes, p);
    if (!(s.density <= 5000.0))
      rd.reject(passes_key, *passes,
                fmt::format("gives {:.1f} channels/cm^2 with this drum (roller_needles, "
                            "roller_diameter, roller_width); at most 5000 are allowed",
                            s.density));
  }
  check_needle_geometry(rd, t, prefix, s, p);
  return s;
}

/// A session with where it came from, for messages about session times.
struct SessionEntry {
  Session session;
  std::string key;         ///< "protocol.session[2]"
  const toml::node* time;  ///< the `time` node, or the session's table
};

const toml::array& array_of_tables(const Reader& rd, const toml::node& n, std::string_view key) {
  const auto* a = n.as_array();
  if (!a || !(a->empty() || a->is_array_of_tables()))
    rd.reject(key, n,
              fmt::format("must be an array of tables: write one [[{}]] block per entry", key));
  return *a;
}

std::vector<SessionEntry> read_series(const Reader& rd, const toml::table& t, const Parameters& p) {
  rd.check_keys(t, "protocol.series", kSeriesKeys);
  std::int64_t count = 6;  // docs/model.md §6: 6 sessions every 28 days from day 0
  double interval = 28.0;
  double first = 0.0;
  if (const auto* n = t.get("count")) count = rd.integer(*n, "protocol.series.count", 1, 1000);
  if (const auto* n = t.get("interval_days"))
    interval = rd.number(*n, "protocol.series.interval_days", positive, "days");
  if (const auto* n = t.get("first_day"))
    first = rd.number(*n, "protocol.series.first_day", non_negative, "days");

  const toml::node* needle = t.get("needle");
  const toml::node* needles = t.get("needles");
  if (needle && needles)
    rd.reject("protocol.series.needles", *needles,
              "give either one [protocol.series.needle] for every session or "
              "[[protocol.series.needles]] tables, one per session, not both");

  std::vector<Session> settings;
  if (needles) {
    const auto& a = array_of_tables(rd, *needles, "protocol.series.needles");
    if (static_cast<std::int64_t>(a.size()) != count)
      rd.fail("protocol.series.needles", needles, fmt::format("{} tables", a.size()),
              fmt::format("must hold exactly count = {} [[protocol.series.needles]] tables, "
                          "one per session",
                          count));
    for (std::size_t i = 0; i < a.size(); ++i)
      settings.push_back(read_session(rd, *a[i].as_table(),
                                      fmt::format("protocol.series.needles[{}]", i), false, p));
  } else {
    const Session one = needle ? read_session(rd, rd.table(*needle, "protocol.series.needle"),
                                              "protocol.series.needle", false, p)
                               : Session{};
    if (!needle) check_needle_geometry(rd, t, "protocol.series.needle", one, p);
    settings.assign(static_cast<std::size_t>(count), one);
  }

  std::vector<SessionEntry> entries;
  for (std::size_t i = 0; i < settings.size(); ++i) {
    SessionEntry e{settings[i], fmt::format("protocol.series[{}]", i), &t};
    e.session.time = first + static_cast<double>(i) * interval;
    entries.push_back(std::move(e));
  }
  return entries;
}

Protocol read_protocol(const Reader& rd, const toml::table* t, const Parameters& p) {
  Protocol pr;
  if (!t) {
    pr.end_days = 365.0;
    return pr;
  }
  rd.check_keys(*t, "protocol", kProtocolKeys);
  if (const auto* n = t->get("allow_contraindicated"))
    pr.allow_contraindicated = rd.boolean(*n, "protocol.allow_contraindicated");

  const toml::node* list = t->get("session");
  const toml::node* series = t->get("series");
  if (list && series)
    rd.fail("protocol.series", series, "",
            fmt::format("give the sessions either as [[protocol.session]] tables{} or as "
                        "[protocol.series], not both",
                        rd.from_override("protocol.session", list) || line_of(list) == 0
                            ? std::string()
                            : fmt::format(" (line {})", line_of(list))));

  std::vector<SessionEntry> entries;
  if (list) {
    const auto& a = array_of_tables(rd, *list, "protocol.session");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto& st = *a[i].as_table();
      SessionEntry e{Session{}, fmt::format("protocol.session[{}]", i), &st};
      e.session = read_session(rd, st, e.key, true, p);
      if (const auto* tn = st.get("time")) e.time = tn;
      entries.push_back(std::move(e));
    }
  } else if (series) {
    entries = read_series(rd, rd.table(*series, "protocol.series"), p);
  }

  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.session.time < b.session.time; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    const auto& a = entries[i - 1];
    const auto& b = entries[i];
    if (b.session.time > a.session.time) continue;
    const std::string where =
        rd.from_override(join_key(a.key, "time"), a.time) || line_of(a.time) == 0
            ? std::string()
            : fmt::format(" (line {})", line_of(a.time));
    rd.fail(join_key(b.key, "time"), b.time,
            b.time->is_table() ? fmt::format("{}", b.session.time) : render(*b.time),
            fmt::format("same time as {}{}: two sessions cannot share a day", a.key, where));
  }
  for (auto& e : entries) pr.sessions.push_back(e.session);

  const double first = pr.sessions.empty() ? 0.0 : pr.sessions.front().time;
  const double last = pr.sessions.empty() ? -kInf : pr.sessions.back().time;
  if (const auto* n = t->get("end_days")) {
    pr.end_days = rd.number(*n, "protocol.end_days", positive, "days");
    if (pr.end_days <= last)
      rd.reject("protocol.end_days", *n,
                fmt::format("must be after the last session (day {}): it is an absolute day, "
                            "not a duration",
                            last));
  } else {
    pr.end_days = first + 365.0;
    if (pr.end_days <= last)
      rd.fail("protocol.end_days", t, "",
              fmt::format("the default end (365 days after the first session, day {}) is not "
                          "after the last session (day {}): set protocol.end_days",
                          pr.end_days, last));
  }
  return pr;
}

/// docs/model.md §2: pregnancy, breastfeeding and active skin infection are refused unless overridden;
/// keloid tendency and anticoagulants are allowed with a warning.
void check_contraindications(const Reader& rd, const toml::table* patient, RunConfig& cfg) {
  struct Contra {
    std::string_view key;
    bool present;
    std::string_view reason;
  };
  const std::array<Contra, 3> contras = {{
      {"pregnant", cfg.patient.pregnant,
       "microneedling is contraindicated in pregnancy: the safety of microneedling and of the "
       "topical agents used with it is not established, and hormonal changes alter wound healing "
       "and raise the risk of pigmentation"},
      {"breastfeeding", cfg.patient.breastfeeding,
       "microneedling is contraindicated while breastfeeding: the safety of microneedling and of "
       "the topical agents used with it is not established, and hormonal changes alter wound "
       "healing and raise the risk of pigmentation"},
      {"active_skin_infection", cfg.patient.active_skin_infection,
       "microneedling is contraindicated over an active skin infection: the needles spread the "
       "infection through the channels, with a risk of deep infection"},
  }};
  const bool treated = !cfg.protocol.sessions.empty();
  for (const auto& c : contras) {
    if (!c.present || !treated) continue;
    if (cfg.protocol.allow_contraindicated) {
      cfg.warnings.push_back(
          fmt::format("patient.{} = true is a contraindication, simulated only because "
                      "protocol.allow_contraindicated = true",
                      c.key));
      continue;
    }
    const std::string key = join_key("patient", c.key);
    rd.fail(key, patient ? patient->get(c.key) : nullptr, "true",
            fmt::format("{}; to simulate it anyway (teaching, research), set "
                        "allow_contraindicated = true under [protocol]",
                        c.reason));
  }
  if (cfg.patient.keloid_tendency)
    cfg.warnings.emplace_back(
        "patient.keloid_tendency: risk of hypertrophic scarring; myofibroblasts persist for "
        "months after each session (kappa_keloid) and collagen synthesis is boosted "
        "(keloid_sigma)");
  if (cfg.patient.anticoagulant)
    cfg.warnings.emplace_back(
        "patient.anticoagulant: more bleeding and bruising; the platelet TGF-beta jump "
        "(anticoag_platelet) and the damage cytokine release (anticoag_c_inj) are raised");
}

NumericsConfig read_numerics(const Reader& rd, const toml::table& t) {
  rd.check_keys(t, "numerics", kNumericsKeys);
  NumericsConfig nc;
  for (const auto& [k, n] : t) {
    const std::string key = join_key("numerics", k.str());
    if (k == "dz")
      nc.dz = rd.number(n, key, open_closed(0, 0.5), "mm");
    else if (k == "dx")
      nc.dx = rd.number(n, key, open_closed(0, 0.5), "mm");
    else if (k == "rtol")
      nc.rtol = rd.number(n, key, open_closed(0, 0.1), "");
    else if (k == "atol")
      nc.atol = rd.number(n, key, positive, "");
    else if (k == "kinetics_method")
      nc.kinetics_method = rd.choice(n, key, kKineticsMethods);
    else if (k == "splitting")
      nc.splitting = rd.choice(n, key, kSplittings);
    else if (k == "dt_rel")
      nc.dt_rel = rd.number(n, key, positive, "");
    else if (k == "dt_lag")
      nc.dt_lag = rd.number(n, key, positive, "days");
    else if (k == "dt_min")  // a first kinetics step below the stepper's smallest fails at once
      nc.dt_min = rd.number(n, key, Range{kMinKineticsStep, kInf, false, true}, "days");
    else if (k == "dt_max")
      nc.dt_max = rd.number(n, key, positive, "days");
    else if (k == "closure")
      nc.closure = rd.choice(n, key, kClosures);
    else if (k == "closure_shells")
      nc.closure_shells = static_cast<int>(rd.integer(n, key, 1, 64, "one shell is the two-compartment closure"));
  }
  if (nc.dt_min > nc.dt_max) {
    const toml::node* n = t.get("dt_min");
    const bool blame_min = n != nullptr;
    if (!blame_min) n = t.get("dt_max");
    rd.fail(blame_min ? "numerics.dt_min" : "numerics.dt_max", n,
            fmt::format("{}", blame_min ? nc.dt_min : nc.dt_max),
            fmt::format("needs dt_min <= dt_max (dt_min = {}, dt_max = {} days)", nc.dt_min,
                        nc.dt_max));
  }
  return nc;
}

OutputConfig read_output(const Reader& rd, const toml::table& t) {
  rd.check_keys(t, "output", kOutputKeys);
  OutputConfig oc;
  for (const auto& [k, n] : t) {
    const std::string key = join_key("output", k.str());
    if (k == "path")
      oc.path = rd.string(n, key, "the HDF5 file to write");
    else if (k == "dt")
      oc.dt = rd.number(n, key, positive, "days");
    else if (k == "dense_dt")
      oc.dense_dt = rd.number(n, key, positive, "days");
    else if (k == "dense_days")
      oc.dense_days = rd.number(n, key, non_negative, "days");
    else if (k == "profile_dt")
      oc.profile_dt = rd.number(n, key, positive, "days");
  }
  return oc;
}

}  // namespace

RunConfig parse_config(const std::string& text, const std::string& path,
                       const std::vector<std::string>& overrides) {
  toml::table root = toml_text::parse(text, path);
  const Reader rd(path, apply_overrides(root, overrides));

  RunConfig cfg;
  cfg.source_path = path;
  cfg.source_text = text;
  if (!overrides.empty()) {
    cfg.source_text += "\n# --set overrides\n";
    for (const auto& o : overrides) cfg.source_text += "# " + o + "\n";
  }
  cfg.parameters = fitted_defaults();

  // A sweep spec given instead of a config: say so, rather than "unknown key 'base'".
  for (std::string_view k : {"base", "axis", "design"})
    if (const toml::node* n = root.get(k); n && !rd.from_override(k, n))
      throw ConfigError(path, line_of(n), "", "",
                        fmt::format("this is a sweep spec (it has '{}'), not a run config: run it with "
                                    "`citsim sweep {}` (docs/cluster.md)",
                                    k, path));
  rd.check_keys(root, "", kTopKeys);
  const auto section = [&](std::string_view name) -> const toml::table* {
    const toml::node* n = root.get(name);
    return n ? &rd.table(*n, name) : nullptr;
  };
  const toml::table* patient = section("patient");
  const toml::table* protocol = section("protocol");
  const toml::table* tissue = section("tissue");
  const toml::table* model = section("model");
  const toml::table* numerics = section("numerics");
  const toml::table* output = section("output");

  if (const auto* n = root.get("seed"))
    cfg.seed = static_cast<std::uint64_t>(
        rd.integer(*n, "seed", 0, std::numeric_limits<std::int64_t>::max()));
  if (patient) cfg.patient = read_patient(rd, *patient);

  // Parameters first: the roller density of a session depends on the drum's. A parameter
  // table replaces the built-in one; [tissue] and [model.parameters] override both.
  ParameterSources sources;
  if (model) {
    rd.check_keys(*model, "model", kModelKeys);
    if (const auto* n = model->get("parameter_file")) read_parameter_file(rd, *n, path, cfg, sources);
  }
  if (tissue) read_parameters(rd, *tissue, true, cfg.parameters, sources, cfg.overridden);
  if (model) {
    if (const auto* n = model->get("level")) cfg.level = rd.choice(*n, "model.level", kLevels);
    if (const auto* n = model->get("aging_drift"))
      cfg.aging_drift = rd.boolean(*n, "model.aging_drift");
    if (const auto* n = model->get("parameters"))
      read_parameters(rd, rd.table(*n, "model.parameters"), false, cfg.parameters, sources,
                      cfg.overridden);
  }
  check_tissue(rd, cfg.parameters, sources);
  check_patient_collagen(rd, cfg.parameters, cfg.patient, sources);
  check_type3_share(rd, cfg.parameters, sources);
  check_loop_gain(rd, cfg.parameters, sources);

  if (numerics) cfg.numerics = read_numerics(rd, *numerics);
  // The closure is 1D's; other levels ignore the default, but one asked for by name is an error.
  const toml::node* closure_key = numerics ? numerics->get("closure") : nullptr;
  if (closure_key != nullptr && cfg.numerics.closure != ColumnClosure::MeanField && cfg.level != ModelLevel::OneD) {
    const toml::node* n = closure_key;
    rd.reject("numerics.closure", *n,
              fmt::format("applies to model.level = \"1d\" only (this run is level \"{}\", whose "
                          "channels are explicit or averaged by definition); remove it or use \"mean-field\"",
                          to_string(cfg.level)));
  }
  if (output) cfg.output = read_output(rd, *output);
  if (cfg.level == ModelLevel::TwoD || cfg.level == ModelLevel::ThreeD) {
    // The field grid's own rule (field_grid.hpp): a periodic lateral line needs 3 cells.
    const bool three_d = cfg.level == ModelLevel::ThreeD;
    const double width = three_d ? cfg.parameters.width_3d : cfg.parameters.width_2d;
    const std::size_t cells = lateral_cell_count(width, cfg.numerics.dx);
    if (cells < kMinLateralCells)
      rd.fail("numerics.dx", numerics ? numerics->get("dx") : nullptr, fmt::format("{}", cfg.numerics.dx),
              fmt::format("gives {} lateral cell(s) across the {} width {} = {:g} mm; a periodic side needs at least "
                          "3: dx <= {:.4g} mm",
                          cells, three_d ? "3D" : "2D", three_d ? "width_3d" : "width_2d", width, width / 2.5));
  }

  cfg.protocol = read_protocol(rd, protocol, cfg.parameters);
  check_contraindications(rd, patient, cfg);
  return cfg;
}

RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_config(toml_text::read_file(path, path, 0, ""), path, overrides);
}

}  // namespace citsim
