// Reading a sweep spec. Messages follow src/io/config.cpp: file:line: key 'k' = value: rule.
#include "citsim/sweep/spec.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/limits.hpp"
#include "citsim/model/parameters.hpp"
#include "citsim/problem_schema.hpp"
#include "../io/detail/toml_text.hpp"

namespace citsim::sweep {
namespace {

namespace fs = std::filesystem;
using toml_text::line_of;
using toml_text::read_file;
using toml_text::nearest;
using toml_text::plain_list;
using toml_text::render;

constexpr std::array<std::string_view, 8> kTopKeys = {"base",   "unset", "set",  "output",
                                                      "outcomes", "design", "axis", "series"};
constexpr std::array<std::string_view, 8> kDesignKeys = {"kind",      "runs", "seed",     "levels",
                                                         "trajectories", "base_runs", "skip", "bootstrap"};
constexpr std::array<std::string_view, 8> kAxisKeys = {"key",   "name",  "values",  "range",
                                                       "steps", "scale", "integer", "unset"};
constexpr std::array<std::string_view, 3> kSeriesKeys = {"readouts", "dt", "end"};

/// Short names for the config keys a protocol sweep varies most.
struct Alias {
  std::string_view name, key;
};
constexpr std::array<Alias, 9> kAliases = {{
    {"needle_length", "protocol.series.needle.needle_length"},
    {"density", "protocol.series.needle.density"},
    {"sessions", "protocol.series.count"},
    {"count", "protocol.series.count"},
    {"interval_days", "protocol.series.interval_days"},
    {"first_day", "protocol.series.first_day"},
    {"end_days", "protocol.end_days"},
    {"age", "patient.age"},
    {"sun_exposure", "patient.sun_exposure"},
}};

/// Units as the sweep file writes them: "1" for dimensionless, "day" and "year" (xarray would
/// decode "days" as a time span).
std::string file_units(std::string_view unit) {
  if (unit.empty() || unit == "-") return "1";
  if (unit == "days") return "day";
  if (unit == "years") return "year";
  return std::string(unit);
}

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(std::string_view key, const toml::node* n, std::string value,
                         std::string allowed) const {
    throw ConfigError(path_, line_of(n), std::string(key), std::move(value), std::move(allowed));
  }
  [[noreturn]] void reject(std::string_view key, const toml::node& n, std::string allowed) const {
    fail(key, &n, render(n), std::move(allowed));
  }

  void check_keys(const toml::table& t, std::string_view prefix,
                  std::span<const std::string_view> valid) const {
    for (const auto& [k, n] : t) {
      if (std::find(valid.begin(), valid.end(), k.str()) != valid.end()) continue;
      const std::string key = prefix.empty() ? std::string(k.str()) : fmt::format("{}.{}", prefix, k.str());
      reject(key, n, fmt::format("unknown key; did you mean '{}'? (keys here: {})", nearest(k.str(), valid),
                                 plain_list(valid)));
    }
  }

  std::optional<double> as_number(const toml::node& n) const {
    if (const auto* f = n.as_floating_point()) return f->get();
    if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
    return std::nullopt;
  }

  double number(const toml::node& n, std::string_view key, std::string_view rule,
                bool (*ok)(double)) const {
    const auto x = as_number(n);
    if (!x || !std::isfinite(*x) || !ok(*x)) reject(key, n, fmt::format("must be a number {}", rule));
    return *x;
  }

  std::int64_t integer(const toml::node& n, std::string_view key, std::int64_t lo, std::int64_t hi) const {
    const auto* i = n.as_integer();
    if (!i || i->get() < lo || i->get() > hi)
      reject(key, n, hi == std::numeric_limits<std::int64_t>::max()
                         ? fmt::format("must be an integer >= {}", lo)
                         : fmt::format("must be an integer in {}..{}", lo, hi));
    return i->get();
  }

  std::string string(const toml::node& n, std::string_view key, std::string_view what) const {
    const auto* s = n.as_string();
    if (!s || s->get().empty()) reject(key, n, fmt::format("must be a non-empty string ({})", what));
    return s->get();
  }

  const toml::table& table(const toml::node& n, std::string_view key) const {
    const auto* t = n.as_table();
    if (!t) reject(key, n, fmt::format("must be a table: write [{}] and its keys below it", key));
    return *t;
  }

  std::vector<std::string> strings(const toml::node& n, std::string_view key, std::string_view what) const {
    const auto* a = n.as_array();
    if (!a) reject(key, n, fmt::format("must be an array of strings ({})", what));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < a->size(); ++i) out.push_back(string(*a->get(i), fmt::format("{}[{}]", key, i), what));
    return out;
  }

  std::vector<double> numbers(const toml::node& n, std::string_view key) const {
    const auto* a = n.as_array();
    if (!a || a->empty()) reject(key, n, "must be a non-empty array of numbers");
    std::vector<double> out;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto x = as_number(*a->get(i));
      if (!x || !std::isfinite(*x)) reject(key, n, "must be an array of finite numbers");
      out.push_back(*x);
    }
    return out;
  }

 private:
  std::string path_;
};

/// The most values one axis may have (a grid's steps, or the whole numbers of an integer range).
constexpr std::int64_t kMaxAxisValues = 1'000'000;

bool positive(double x) { return x > 0.0; }
bool non_negative(double x) { return x >= 0.0; }

std::string last_component(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

/// Refuses a design too big to hold before it is built: Latin hypercube and Morris points are
/// held in memory, and every run costs its index, pending entry and status in the store. Run
/// counts follow the Design constructor (src/sweep/design.cpp).
void check_design_memory(const Reader& rd, const toml::node* design, const SweepSpec& s) {
  const auto d = static_cast<double>(s.axes.size());
  const DesignSpec& ds = s.design;
  double runs = 1.0;
  std::string field;
  switch (ds.kind) {
    case DesignKind::Grid:
      for (const Axis& a : s.axes) runs *= static_cast<double>(std::max<std::size_t>(1, a.values.size()));
      break;
    case DesignKind::LatinHypercube:
    case DesignKind::Sobol: runs = static_cast<double>(ds.runs); field = "runs"; break;
    case DesignKind::Morris: runs = static_cast<double>(ds.trajectories) * (d + 1.0); field = "trajectories"; break;
    case DesignKind::Saltelli: runs = static_cast<double>(ds.base_runs) * (d + 2.0); field = "base_runs"; break;
  }
  const bool points = ds.kind == DesignKind::LatinHypercube || ds.kind == DesignKind::Morris;
  const double need = runs * (8.0 * ((points ? d + 1.0 : 0.0) + 2.0) + 1.0);
  const auto avail = available_memory();
  if (!avail || need <= static_cast<double>(avail->bytes)) return;
  const toml::node* n = design && design->is_table() && !field.empty() ? design->as_table()->get(field) : nullptr;
  rd.fail(field.empty() ? "design" : "design." + field, n ? n : design, n ? fmt::format("{}", *n->value<std::int64_t>()) : "",
          fmt::format("the sweep's {:.0f} runs need ≈ {} of memory for the design and its bookkeeping before any "
                      "run; this machine has {} available ({}); run fewer runs",
                      runs, format_bytes(need >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(need)),
                      format_bytes(avail->bytes), avail->source));
}

DesignSpec read_design(const Reader& rd, const toml::table* t, const SpecOverrides& o) {
  DesignSpec d;
  if (t) {
    rd.check_keys(*t, "design", kDesignKeys);
    if (const auto* n = t->get("kind")) {
      const std::string kind = rd.string(*n, "design.kind", "a design kind");
      const auto k = design_kind_from(kind);
      if (!k) rd.reject("design.kind", *n, "must be one of \"grid\", \"latin_hypercube\", \"sobol\", \"morris\", \"saltelli\"");
      d.kind = *k;
    }
    if (const auto* n = t->get("runs")) d.runs = rd.integer(*n, "design.runs", 1, kMaxRuns);
    if (const auto* n = t->get("seed"))
      d.seed = static_cast<std::uint64_t>(rd.integer(*n, "design.seed", 0, std::numeric_limits<std::int64_t>::max()));
    if (const auto* n = t->get("levels")) {
      d.levels = static_cast<int>(rd.integer(*n, "design.levels", 2, 100));
      if (d.levels % 2 != 0) rd.reject("design.levels", *n, "must be an even integer in 2..100 (Morris levels)");
    }
    if (const auto* n = t->get("trajectories")) d.trajectories = static_cast<int>(rd.integer(*n, "design.trajectories", 2, 1000000));
    if (const auto* n = t->get("base_runs")) d.base_runs = rd.integer(*n, "design.base_runs", 2, kMaxRuns);
    if (const auto* n = t->get("skip")) d.skip = rd.integer(*n, "design.skip", 0, kMaxRuns);
    if (const auto* n = t->get("bootstrap")) d.bootstrap = static_cast<int>(rd.integer(*n, "design.bootstrap", 0, 100000));
  }
  if (!o.design_kind.empty()) {
    const auto k = design_kind_from(o.design_kind);
    if (!k) throw ConfigError("--sensitivity", 0, "", o.design_kind, "must be morris or sobol");
    d.kind = *k;
  }
  if ((d.kind == DesignKind::LatinHypercube || d.kind == DesignKind::Sobol) && d.runs == 0)
    rd.fail("design.runs", t, "", fmt::format("a {} design needs runs = N (the number of runs)", to_string(d.kind)));
  return d;
}

Axis read_axis(const Reader& rd, const toml::table& t, const std::string& prefix, DesignKind kind) {
  rd.check_keys(t, prefix, kAxisKeys);
  Axis a;
  const toml::node* key = t.get("key");
  if (!key) rd.fail(prefix, &t, "", "an axis needs key = \"...\" (a config key, alias or parameter name)");
  const std::string written = rd.string(*key, prefix + ".key", "the config key to vary");
  a.key = resolve_axis_key(written);
  if (a.key.empty()) {
    std::vector<std::string_view> names;
    for (const Alias& al : kAliases) names.push_back(al.name);
    for (const ParameterSpec& s : parameter_table()) names.push_back(s.name);
    rd.reject(prefix + ".key", *key,
              fmt::format("not a config key, alias or parameter; did you mean '{}'? (aliases: {}; "
                          "parameters: `citsim params`; or any dotted config key such as "
                          "protocol.series.needle.sharpness)",
                          nearest(written, names), plain_list(std::span(names).first(kAliases.size()))));
  }
  a.name = written.find('.') == std::string::npos ? written : last_component(written);
  if (const auto* n = t.get("name")) a.name = rd.string(*n, prefix + ".name", "the column name in /sweep/params");
  // Units and integer-ness are the problem schema's (problem_schema.hpp, parameters included).
  if (const KeySpec* k = find_key(a.key)) {
    if (k->kind != KeyKind::Number && k->kind != KeyKind::Integer)
      rd.reject(prefix + ".key", *key,
                fmt::format("{} takes {}, not numbers: an axis varies a number (run the other settings as "
                            "separate sweeps, or give them with set = [...])",
                            a.key, k->kind == KeyKind::Boolean ? "true or false" : "a word"));
    a.units = file_units(k->unit);
    a.integer = k->kind == KeyKind::Integer;
  }
  if (const auto* n = t.get("unset")) a.unset = rd.strings(*n, prefix + ".unset", "config keys this axis removes");
  if (const auto* n = t.get("integer")) {
    const auto* b = n->as_boolean();
    if (!b) rd.reject(prefix + ".integer", *n, "must be true or false");
    a.integer = b->get();
  }
  if (const auto* n = t.get("scale")) {
    const std::string s = rd.string(*n, prefix + ".scale", "linear or log");
    if (s == "log") a.scale = AxisScale::Log;
    else if (s != "linear") rd.reject(prefix + ".scale", *n, "must be one of \"linear\", \"log\"");
  }
  const toml::node* values = t.get("values");
  const toml::node* range = t.get("range");
  const toml::node* steps = t.get("steps");
  if (values && range) rd.reject(prefix + ".range", *range, "give either values = [...] or range = [lo, hi], not both");
  if (!values && !range)
    rd.fail(prefix, &t, "", "an axis needs values = [...] (grids) or range = [lo, hi]");
  if (values) {
    if (kind != DesignKind::Grid)
      rd.reject(prefix + ".values", *values,
                fmt::format("a {} design samples a range: write range = [lo, hi] instead", to_string(kind)));
    a.values = rd.numbers(*values, prefix + ".values");
    if (steps) rd.reject(prefix + ".steps", *steps, "steps goes with range = [lo, hi], not with values");
  } else {
    const std::vector<double> r = rd.numbers(*range, prefix + ".range");
    if (r.size() != 2 || !(r[0] < r[1]))
      rd.reject(prefix + ".range", *range, "must be [lo, hi] with lo < hi");
    a.lo = r[0];
    a.hi = r[1];
    if (a.scale == AxisScale::Log && !(a.lo > 0.0))
      rd.reject(prefix + ".range", *range, "a log-scaled range needs lo > 0");
    if (a.integer && std::ceil(a.lo) > std::floor(a.hi))
      rd.reject(prefix + ".range", *range, "holds no whole number, and this key takes integers");
    if (kind == DesignKind::Grid) {
      if (steps) {
        const auto n = rd.integer(*steps, prefix + ".steps", 2, kMaxAxisValues);
        for (std::int64_t k = 0; k < n; ++k) {
          const double u = static_cast<double>(k) / static_cast<double>(n - 1);
          double x = a.scale == AxisScale::Log ? std::exp(std::log(a.lo) + u * (std::log(a.hi) - std::log(a.lo)))
                                               : a.lo + u * (a.hi - a.lo);
          if (k == 0) x = a.lo;
          if (k == n - 1) x = a.hi;
          if (a.integer) x = std::round(x);
          if (a.values.empty() || a.values.back() != x) a.values.push_back(x);
        }
      } else if (a.integer) {
        // Every whole number of the range, as many as steps may give at most.
        const double count = std::floor(a.hi) - std::ceil(a.lo) + 1.0;
        if (count > static_cast<double>(kMaxAxisValues))
          rd.reject(prefix + ".range", *range,
                    fmt::format("holds {:.4g} whole numbers, more than the {} values an axis may have; give "
                                "steps = n",
                                count, kMaxAxisValues));
        for (double x = std::ceil(a.lo); x <= a.hi; x += 1.0) a.values.push_back(x);
      } else {
        rd.fail(prefix + ".steps", &t, "", "a grid over a range needs steps = n (n >= 2 values from lo to hi)");
      }
    } else if (steps) {
      rd.reject(prefix + ".steps", *steps, fmt::format("a {} design samples the range; steps is for grids", to_string(kind)));
    }
  }
  if (a.integer) {
    // Whole and within a 64-bit integer: the value is written into the config as one.
    constexpr double kWholeLimit = 9.2e18;
    const toml::node& given = values ? *values : *range;
    const std::string given_key = prefix + (values ? ".values" : ".range");
    for (double x : values ? a.values : std::vector<double>{a.lo, a.hi}) {
      if (!(std::abs(x) < kWholeLimit))
        rd.reject(given_key, given, fmt::format("holds {}, beyond the integers {} can take", x, a.key));
      if (values && x != std::round(x))
        rd.reject(given_key, given, fmt::format("holds {}, but {} takes integers", x, a.key));
    }
  }
  return a;
}

/// Tries the base config with the axis at `value`; a refusal is blamed on the axis.
void check_axis_value(const Reader& rd, const SweepSpec& s, const Axis& a, double value,
                      const toml::node& axis_table, const std::string& prefix) {
  std::vector<std::string> sets = s.base_sets;
  for (const std::string& key : a.unset) sets.push_back(unset_override(key));
  sets.push_back(override_text(a, value));
  try {
    (void)parse_config(s.base_text, s.base_path, sets);
  } catch (const ConfigError& e) {
    rd.fail(prefix, &axis_table, fmt::format("{} = {}", a.key, sets.back().substr(sets.back().find('=') + 1)),
            fmt::format("the base config {} refuses this value: {}", s.base_path, e.what()));
  }
}

}  // namespace

std::string resolve_axis_key(const std::string& key) {
  if (key.empty()) return {};
  if (key.find('.') != std::string::npos) return key;
  for (const Alias& a : kAliases)
    if (a.name == key) return std::string(a.key);
  if (const ParameterSpec* p = find_parameter(key))
    return fmt::format("{}.{}", p->group == ParameterGroup::Tissue ? "tissue" : "model.parameters", p->name);
  if (key == "seed") return key;
  return {};
}

std::string override_text(const Axis& axis, double value) {
  if (axis.integer) return fmt::format("{}={}", axis.key, static_cast<long long>(std::llround(value)));
  std::string v = fmt::format("{}", value);
  if (v.find_first_of(".eE") == std::string::npos) v += ".0";
  return fmt::format("{}={}", axis.key, v);
}

SweepSpec parse_sweep_spec(const std::string& text, const std::string& path, const SpecOverrides& overrides) {
  toml::table root = toml_text::parse(text, path);
  const Reader rd(path);
  // A run config given instead of a spec: say so, rather than "unknown key 'model'".
  if (!root.contains("base") && !root.contains("axis")) {
    std::string_view first;  // the run-config key written first
    const toml::node* first_node = nullptr;
    for (std::string_view k : {"seed", "patient", "protocol", "tissue", "model", "numerics"})
      if (const toml::node* n = root.get(k); n && (!first_node || line_of(n) < line_of(first_node))) {
        first = k;
        first_node = n;
      }
    if (first_node)
      throw ConfigError(path, line_of(first_node), "", "",
                        fmt::format("this is a run config (it has '{}'), not a sweep spec: citsim sweep takes a "
                                    "spec with base = \"CONFIG.toml\" and [[axis]] tables (see configs/sweeps/ and "
                                    "docs/cluster.md); run this config with `citsim run {}`, or name it as a "
                                    "spec's base",
                                    first, path));
  }
  rd.check_keys(root, "", kTopKeys);
  SweepSpec s;
  s.path = path;
  s.text = text;

  // 1. The base config, relative to the spec file, and the overrides every run starts from.
  const toml::node* base = root.get("base");
  if (!base) rd.fail("base", nullptr, "", "a sweep needs base = \"CONFIG.toml\" (the config every run starts from)");
  const std::string base_written = rd.string(*base, "base", "the base config, relative to this file");
  const fs::path spec_dir = fs::path(path).parent_path();
  s.base_path = (fs::path(base_written).is_absolute() ? fs::path(base_written) : spec_dir / base_written)
                    .lexically_normal().string();
  s.base_text = read_file(s.base_path, path, line_of(base), "base");
  // Keys removed first (`unset`, as --unset), so that a key they exclude can be set.
  if (const auto* n = root.get("unset"))
    for (const std::string& key : rd.strings(*n, "unset", "config keys removed from the base config"))
      s.base_sets.push_back(unset_override(key));
  if (const auto* n = root.get("set"))
    for (const std::string& o : rd.strings(*n, "set", "key=value overrides of the base config")) s.base_sets.push_back(o);
  for (const auto& o : overrides.sets) s.base_sets.push_back(o);
  const RunConfig base_config = parse_config(s.base_text, s.base_path, s.base_sets);
  s.parameter_table = base_config.parameter_table;

  // 2. Output, design, axes.
  s.output = fmt::format("results/sweeps/{}.h5", fs::path(path).stem().string());
  if (const auto* n = root.get("output")) s.output = rd.string(*n, "output", "the sweep's HDF5 file");
  const toml::node* design = root.get("design");
  s.design = read_design(rd, design ? &rd.table(*design, "design") : nullptr, overrides);
  const toml::node* axes = root.get("axis");
  if (!axes) rd.fail("axis", nullptr, "", "a sweep needs at least one [[axis]] table with key and values or range");
  const auto* arr = axes->as_array();
  if (!arr || arr->empty() || !arr->is_array_of_tables())
    rd.reject("axis", *axes, "must be an array of tables: write one [[axis]] block per swept key");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string prefix = fmt::format("axis[{}]", i);
    const toml::table& t = *arr->get(i)->as_table();
    Axis a = read_axis(rd, t, prefix, s.design.kind);
    for (const Axis& other : s.axes) {
      if (other.key == a.key) rd.fail(prefix + ".key", t.get("key"), a.key, "is swept twice (an earlier axis has it)");
      // each run applies the axes in order, each after its own unset: one must not undo another
      for (const std::string& u : a.unset)
        if (u == other.key || other.key.starts_with(u + "."))
          rd.fail(prefix + ".unset", t.get("unset"), "\"" + u + "\"", fmt::format("would remove {}, which an earlier axis sets", other.key));
      for (const std::string& u : other.unset)
        if (u == a.key || a.key.starts_with(u + "."))
          rd.fail(prefix + ".key", t.get("key"), a.key, fmt::format("an earlier axis removes {} (its unset)", u));
      if (other.name == a.name)
        rd.fail(prefix, &t, a.name, "two axes have this column name: give one a name = \"...\"");
    }
    const double lo = a.values.empty() ? axis_value(a, 0.0) : *std::min_element(a.values.begin(), a.values.end());
    const double hi = a.values.empty() ? axis_value(a, 1.0) : *std::max_element(a.values.begin(), a.values.end());
    check_axis_value(rd, s, a, lo, t, prefix);
    if (hi != lo) check_axis_value(rd, s, a, hi, t, prefix);
    s.axes.push_back(std::move(a));
  }
  check_design_memory(rd, design, s);
  try {
    (void)Design(s.design, s.axes);
  } catch (const std::invalid_argument& e) {
    rd.fail("design", design, "", e.what());
  }

  // 3. What is kept of each run.
  std::vector<std::string> names = default_outcome_names();
  const toml::node* outcomes = root.get("outcomes");
  if (outcomes) names = rd.strings(*outcomes, "outcomes", "outcome names");
  for (std::size_t i = 0; i < names.size(); ++i) {
    try {
      OutcomeSpec o = parse_outcome(names[i]);
      if (o.kind == OutcomeKind::At && o.day > base_config.protocol.end_days)
        throw std::invalid_argument(fmt::format("day {:g} is after the base config's end (day {:g})", o.day,
                                                base_config.protocol.end_days));
      for (const OutcomeSpec& other : s.outcomes)
        if (other.name == o.name) throw std::invalid_argument("is listed twice");
      s.outcomes.push_back(std::move(o));
    } catch (const std::invalid_argument& e) {
      rd.fail(outcomes ? fmt::format("outcomes[{}]", i) : "outcomes", outcomes, "\"" + names[i] + "\"", e.what());
    }
  }
  if (s.outcomes.empty()) rd.fail("outcomes", outcomes, "[]", "name at least one outcome");

  s.series.readouts = {"firmness_gain", "collagen_induction", "elastin_change"};
  s.series.end = base_config.protocol.end_days;
  if (const auto* n = root.get("series")) {
    const toml::table& t = rd.table(*n, "series");
    rd.check_keys(t, "series", kSeriesKeys);
    if (const auto* r = t.get("readouts")) s.series.readouts = rd.strings(*r, "series.readouts", "readout names");
    if (const auto* d = t.get("dt")) s.series.dt = rd.number(*d, "series.dt", "> 0 (days)", positive);
    if (const auto* e = t.get("end")) s.series.end = rd.number(*e, "series.end", ">= 0 (days)", non_negative);
    for (std::size_t i = 0; i < s.series.readouts.size(); ++i) {
      const auto names_ = readout_names();
      const bool known = std::any_of(names_.begin(), names_.end(), [&](const ReadoutInfo& r) { return r.name == s.series.readouts[i]; });
      if (!known) {
        std::vector<std::string_view> all;
        for (const ReadoutInfo& r : names_) all.push_back(r.name);
        rd.fail(fmt::format("series.readouts[{}]", i), t.get("readouts"), "\"" + s.series.readouts[i] + "\"",
                fmt::format("not a readout; did you mean '{}'? (readouts: {})", nearest(s.series.readouts[i], all), plain_list(all)));
      }
    }
    if (s.series.end / s.series.dt > 1e7)
      rd.fail("series.dt", t.get("dt"), fmt::format("{}", s.series.dt), "gives more than 10^7 grid times");
  }
  return s;
}

SweepSpec load_sweep_spec(const std::string& path, const SpecOverrides& overrides) {
  return parse_sweep_spec(read_file(path, path, 0, ""), path, overrides);
}

}  // namespace citsim::sweep
