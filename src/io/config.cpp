// Reading a run's TOML config (docs/model.md §1, §2, §6). The keys, their kinds, units and ranges
// and the rules between keys are the problem schema's (problem_schema.hpp); this file knows the
// TOML structure (tables, [[protocol.session]] arrays, series, parameter files) and where each
// value was written, so that a refusal names the file and line. `--set` overrides are applied
// to the TOML tree before any of that, so an override is checked exactly like the file (and
// blamed on "--set").
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
#include "citsim/problem_schema.hpp"
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

// ---------------------------------------------------------------------------------------------
// The keys each table accepts (a contract: scripts and sweeps write them; configs/default.toml
// documents them): the schema's scalar keys under the table, then its sub-tables

/// The names of the schema's keys directly under `prefix` ("patient" -> age, laxity_cause, ...),
/// then `structural` (sub-tables and arrays the reader handles itself). Parameters are not
/// listed: [tissue] and [model.parameters] are read from the parameter table.
std::vector<std::string_view> keys_under(std::string_view prefix, std::initializer_list<std::string_view> structural) {
  std::vector<std::string_view> out;
  for (const KeySpec& k : problem_keys()) {
    if (k.parameter) continue;
    const std::string_view path = k.path;
    if (prefix.empty() ? path.find('.') == std::string_view::npos
                       : path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '.' &&
                             path.find('.', prefix.size() + 1) == std::string_view::npos)
      out.push_back(prefix.empty() ? path : path.substr(prefix.size() + 1));
  }
  out.insert(out.end(), structural.begin(), structural.end());
  return out;
}

/// The keys of each table, as the reader checks them.
struct TableKeys {
  std::vector<std::string_view> top = keys_under("", {"patient", "protocol", "tissue", "model", "numerics", "output"});
  std::vector<std::string_view> patient = keys_under("patient", {});
  std::vector<std::string_view> protocol = keys_under("protocol", {"session", "series"});
  std::vector<std::string_view> series = keys_under("protocol.series", {"needle", "needles"});
  std::vector<std::string_view> session;  ///< a [[protocol.session]]: the session's fields
  std::vector<std::string_view> model = keys_under("model", {"parameter_file", "parameters"});
  std::vector<std::string_view> numerics = keys_under("numerics", {});
  std::vector<std::string_view> output = keys_under("output", {});

  TableKeys() {
    for (const KeySpec& k : session_keys()) session.push_back(k.path);
  }
};

const TableKeys& table_keys() {
  static const TableKeys keys;
  return keys;
}

/// Every key and table of a config but the parameters, in full ("patient.age"), for suggestions
/// when a key is written at the wrong level (`--set age=60`).
std::vector<std::string> all_config_keys() {
  const TableKeys& t = table_keys();
  std::vector<std::string> keys;
  const auto add = [&keys](std::string_view prefix, std::span<const std::string_view> names) {
    for (std::string_view n : names) keys.push_back(join_key(prefix, n));
  };
  add("", t.top);
  add("patient", t.patient);
  add("protocol", t.protocol);
  add("protocol.series", t.series);
  add("protocol.series.needle", std::span(t.session).subspan(1));  // all but time
  add("protocol.session", t.session);
  add("model", t.model);
  add("numerics", t.numerics);
  add("output", t.output);
  return keys;
}

std::string_view last_part(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

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

  /// The value of a scalar key as the schema's `spec` takes it (kind, range, words).
  KeyValue value(const toml::node& n, std::string_view key, const KeySpec& spec) const {
    std::optional<KeyValue> v;
    if (const auto* b = n.as_boolean()) v = b->get();
    if (const auto* i = n.as_integer()) v = i->get();
    if (const auto* f = n.as_floating_point()) v = f->get();
    if (const auto* s = n.as_string()) v = s->get();
    std::optional<KeyValue> ok = v ? accepted(spec, *v) : std::nullopt;
    if (!ok) reject(key, n, allowed_text(spec));
    return *ok;
  }

  std::string string(const toml::node& n, std::string_view key, std::string_view what) const {
    const auto* s = n.as_string();
    if (!s || s->get().empty())
      reject(key, n, fmt::format("must be a non-empty string ({})", what));
    return s->get();
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

/// Reads the scalar keys of table `t` (`prefix`, e.g. "numerics") into `cfg` through the schema;
/// keys in `skip` (sub-tables, structural keys) are the caller's.
void read_scalars(const Reader& rd, const toml::table& t, std::string_view prefix, RunConfig& cfg,
                  std::initializer_list<std::string_view> skip = {}) {
  for (const auto& [k, n] : t) {
    if (std::find(skip.begin(), skip.end(), k.str()) != skip.end()) continue;
    const std::string key = join_key(prefix, k.str());
    if (const KeySpec* spec = find_key(key)) set(cfg, key, rd.value(n, key, *spec));
  }
}

/// Where a parameter was set, for messages about combinations of parameters.
struct ParameterSource {
  std::string key;  ///< "tissue.z_bottom", "model.parameters.k_tx", or "model.parameter_file"
  const toml::node* node;
};
using ParameterSources = std::map<std::string, ParameterSource, std::less<>>;

/// `[tissue]` (tissue == true) or `[model.parameters]`: names from the parameter table.
void read_parameters(const Reader& rd, const toml::table& t, bool tissue, RunConfig& cfg,
                     ParameterSources& sources) {
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
    set(cfg, key, rd.value(n, key, *find_key(key)));
    sources[std::string(spec->name)] = {key, &n};
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

// ---------------------------------------------------------------------------------------------
// Sessions

/// A session with where it came from, for messages about it.
struct SessionEntry {
  Session session;
  std::string key;           ///< "protocol.session[2]", "protocol.series[2]"
  const toml::node* time;    ///< the `time` node, or the session's (series') table
  std::string needle_key;    ///< where its needle was written: "protocol.session[2]", "protocol.series.needle"
  const toml::table* needle; ///< that table; the series' own when it has no needle table
};

/// One needle setting: a [[protocol.session]] (with_time) or a series needle (time from the
/// series). What each device takes is checked with the rest of the problem (validate()); here,
/// what only the table can tell: which keys it gives.
Session read_session(const Reader& rd, const toml::table& t, const std::string& prefix,
                     bool with_time, const Parameters& p) {
  if (!with_time)
    if (const auto* n = t.get("time"))
      rd.reject(join_key(prefix, "time"), *n,
                "unknown key; a series sets the times itself (first_day + k * interval_days): "
                "for explicit times use [[protocol.session]] tables instead");
  rd.check_keys(t, prefix, table_keys().session);

  Session s;
  for (const auto& [k, n] : t) {
    const std::string key = join_key(prefix, k.str());
    set(s, k.str(), rd.value(n, key, *find_session_key(k.str())));
  }
  if (s.device == Device::Pen) return s;  // passes on a pen: validate()
  const toml::node* density = t.get("density");
  const toml::node* passes = t.get("passes");
  if (density && passes)
    rd.reject(join_key(prefix, "passes"), *passes,
              "give a roller either passes or density (channels/cm^2), not both");
  if (!density && !passes)
    rd.fail(prefix, &t, "",
            "a roller needs passes (integer 1..100) or density (channels/cm^2, (0, 5000])");
  if (passes) s.density = roller_density(s.passes, p);
  return s;
}

const toml::array& array_of_tables(const Reader& rd, const toml::node& n, std::string_view key) {
  const auto* a = n.as_array();
  if (!a || !(a->empty() || a->is_array_of_tables()))
    rd.reject(key, n,
              fmt::format("must be an array of tables: write one [[{}]] block per entry", key));
  return *a;
}

std::vector<SessionEntry> read_series(const Reader& rd, const toml::table& t, const Parameters& p,
                                      SessionSeries& series) {
  rd.check_keys(t, "protocol.series", table_keys().series);
  for (std::string_view k : {"count", "interval_days", "first_day"})
    if (const auto* n = t.get(k)) {
      const std::string key = join_key("protocol.series", k);
      const KeyValue v = rd.value(*n, key, *find_key(key));
      if (k == "count") series.count = static_cast<int>(std::get<std::int64_t>(v));
      if (k == "interval_days") series.interval_days = std::get<double>(v);
      if (k == "first_day") series.first_day = std::get<double>(v);
    }

  const toml::node* needle = t.get("needle");
  const toml::node* needles = t.get("needles");
  if (needle && needles)
    rd.reject("protocol.series.needles", *needles,
              "give either one [protocol.series.needle] for every session or "
              "[[protocol.series.needles]] tables, one per session, not both");

  std::vector<SessionEntry> entries;
  const auto count = static_cast<std::size_t>(series.count);
  if (needles) {
    const auto& a = array_of_tables(rd, *needles, "protocol.series.needles");
    if (a.size() != count)
      rd.fail("protocol.series.needles", needles, fmt::format("{} tables", a.size()),
              fmt::format("must hold exactly count = {} [[protocol.series.needles]] tables, "
                          "one per session",
                          count));
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string key = fmt::format("protocol.series.needles[{}]", i);
      entries.push_back({read_session(rd, *a[i].as_table(), key, false, p), "", &t, key, a[i].as_table()});
    }
  } else {
    const toml::table* table = needle ? &rd.table(*needle, "protocol.series.needle") : nullptr;
    const Session one = table ? read_session(rd, *table, "protocol.series.needle", false, p) : Session{};
    entries.assign(count, SessionEntry{one, "", &t, "protocol.series.needle", table ? table : &t});
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i].key = fmt::format("protocol.series[{}]", i);
    entries[i].session.time = series_day(series, i);
  }
  return entries;
}

/// The protocol and, in the order of its sessions, where each was written.
struct ProtocolRead {
  Protocol protocol;
  std::vector<SessionEntry> entries;
  const toml::node* end_days = nullptr;  ///< null: the default end
};

ProtocolRead read_protocol(const Reader& rd, const toml::table* t, RunConfig& cfg) {
  ProtocolRead out;
  Protocol& pr = out.protocol;
  if (!t) return out;
  rd.check_keys(*t, "protocol", table_keys().protocol);
  if (const auto* n = t->get("allow_contraindicated"))
    pr.allow_contraindicated = std::get<bool>(rd.value(*n, "protocol.allow_contraindicated",
                                                       *find_key("protocol.allow_contraindicated")));

  const toml::node* list = t->get("session");
  const toml::node* series = t->get("series");
  if (list && series)
    rd.fail("protocol.series", series, "",
            fmt::format("give the sessions either as [[protocol.session]] tables{} or as "
                        "[protocol.series], not both",
                        rd.from_override("protocol.session", list) || line_of(list) == 0
                            ? std::string()
                            : fmt::format(" (line {})", line_of(list))));

  std::vector<SessionEntry>& entries = out.entries;
  if (list) {
    const auto& a = array_of_tables(rd, *list, "protocol.session");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto& st = *a[i].as_table();
      const std::string key = fmt::format("protocol.session[{}]", i);
      SessionEntry e{read_session(rd, st, key, true, cfg.parameters), key, &st, key, &st};
      if (const auto* tn = st.get("time")) e.time = tn;
      entries.push_back(std::move(e));
    }
  } else if (series) {
    SessionSeries s;
    entries = read_series(rd, rd.table(*series, "protocol.series"), cfg.parameters, s);
    pr.series = s;
  }

  // Sorted by time; two on one day are refused here, where both lines are known (validate()
  // has the same rule for sessions listed on the struct).
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

  out.end_days = t->get("end_days");
  if (out.end_days)
    pr.end_days = std::get<double>(rd.value(*out.end_days, "protocol.end_days", *find_key("protocol.end_days")));
  else
    pr.end_days = (pr.sessions.empty() ? 0.0 : pr.sessions.front().time) + 365.0;
  return out;
}

/// docs/model.md §2: keloid tendency and anticoagulants are allowed with a warning, and so is a
/// contraindication that protocol.allow_contraindicated lets through (validate() refuses it
/// otherwise).
void add_warnings(RunConfig& cfg) {
  if (!cfg.protocol.sessions.empty() && cfg.protocol.allow_contraindicated)
    for (const auto& [present, key] : {std::pair<bool, std::string_view>{cfg.patient.pregnant, "pregnant"},
                                       {cfg.patient.breastfeeding, "breastfeeding"},
                                       {cfg.patient.active_skin_infection, "active_skin_infection"}})
      if (present)
        cfg.warnings.push_back(
            fmt::format("patient.{} = true is a contraindication, simulated only because "
                        "protocol.allow_contraindicated = true",
                        key));
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

// ---------------------------------------------------------------------------------------------
// The problem's issues (validate()), blamed on the file and line that can fix them

class IssueBlame {
 public:
  IssueBlame(const Reader& rd, const toml::table& root, const RunConfig& cfg, const ParameterSources& sources,
             const ProtocolRead& protocol)
      : rd_(rd), root_(root), cfg_(cfg), sources_(sources), protocol_(protocol) {}

  /// Fails at the first of the issue's keys the config gives, else at the first key.
  [[noreturn]] void fail(const ProblemIssue& issue) const {
    for (std::size_t i = 0; i < issue.keys.size(); ++i)
      if (const Place p = place(issue.keys[i]); p.given) rd_.reject(p.key, *p.node, message(issue, i, p));
    const Place p = place(issue.keys.front());
    if (issue.keys.front() == "protocol.end_days")  // the default end: blamed on [protocol]
      rd_.fail(p.key, root_.get("protocol"), "", message(issue, 0, p));
    const auto v = get(cfg_, issue.keys.front());
    rd_.fail(p.key, p.node, v ? to_text(*v) : std::string(), message(issue, 0, p));
  }

 private:
  /// Where a key of the problem was written: the key as the config spells it and its node (the
  /// value itself when `given`, else the table that would hold it, or nothing).
  struct Place {
    std::string key;
    const toml::node* node = nullptr;
    bool given = false;
  };

  Place place(const std::string& key) const {
    const KeySpec* spec = find_key(key);
    if (spec && spec->parameter) {
      if (const auto it = sources_.find(spec->parameter->name); it != sources_.end())
        return {it->second.key, it->second.node, true};
      return {key};
    }
    if (key.starts_with("protocol.sessions[")) {
      const auto close = key.find(']');
      const std::size_t i = std::stoul(key.substr(key.find('[') + 1));
      const std::string field = key.substr(close + 2);
      const SessionEntry& e = protocol_.entries.at(i);
      if (field == "time") return {join_key(e.key, "time"), e.time, e.time && !e.time->is_table()};
      const toml::node* n = e.needle ? e.needle->get(field) : nullptr;
      return {join_key(e.needle_key, field), n ? n : e.needle, n != nullptr};
    }
    const toml::node* n = root_.at_path(key).node();
    return {key, n, n != nullptr};
  }

  std::string message(const ProblemIssue& issue, std::size_t i, const Place& p) const {
    // The end a config leaves out is 365 days after the first session: say so.
    if (issue.keys[i] == "protocol.end_days" && !p.given) {
      const auto& s = cfg_.protocol.sessions;
      return fmt::format("the default end (365 days after the first session, day {}) is not "
                         "after the last session (day {}): set protocol.end_days",
                         cfg_.protocol.end_days, s.empty() ? -kInf : s.back().time);
    }
    return issue.message(i);
  }

  const Reader& rd_;
  const toml::table& root_;
  const RunConfig& cfg_;
  const ParameterSources& sources_;
  const ProtocolRead& protocol_;
};

}  // namespace

RunConfig parse_config(const std::string& text, const std::string& path,
                       const std::vector<std::string>& overrides) {
  toml::table root = toml_text::parse(text, path);
  const Reader rd(path, apply_overrides(root, overrides));
  const TableKeys& keys = table_keys();

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
  rd.check_keys(root, "", keys.top);
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

  read_scalars(rd, root, "", cfg, {"patient", "protocol", "tissue", "model", "numerics", "output"});
  if (patient) {
    rd.check_keys(*patient, "patient", keys.patient);
    read_scalars(rd, *patient, "patient", cfg);
  }

  // Parameters first: the roller density of a session depends on the drum's. A parameter
  // table replaces the built-in one; [tissue] and [model.parameters] override both.
  ParameterSources sources;
  if (model) {
    rd.check_keys(*model, "model", keys.model);
    if (const auto* n = model->get("parameter_file")) read_parameter_file(rd, *n, path, cfg, sources);
  }
  if (tissue) read_parameters(rd, *tissue, true, cfg, sources);
  if (model) {
    read_scalars(rd, *model, "model", cfg, {"parameter_file", "parameters"});
    if (const auto* n = model->get("parameters"))
      read_parameters(rd, rd.table(*n, "model.parameters"), false, cfg, sources);
  }

  if (numerics) {
    rd.check_keys(*numerics, "numerics", keys.numerics);
    read_scalars(rd, *numerics, "numerics", cfg);
    // The closure is 1D's; other levels ignore the default, but one asked for by name is an error.
    const toml::node* closure = numerics->get("closure");
    if (closure && cfg.numerics.closure != ColumnClosure::MeanField && cfg.level != ModelLevel::OneD)
      rd.reject("numerics.closure", *closure,
                fmt::format("applies to model.level = \"1d\" only (this run is level \"{}\", whose "
                            "channels are explicit or averaged by definition); remove it or use \"mean-field\"",
                            to_string(cfg.level)));
  }
  if (output) {
    rd.check_keys(*output, "output", keys.output);
    read_scalars(rd, *output, "output", cfg);
  }

  const ProtocolRead read = read_protocol(rd, protocol, cfg);
  cfg.protocol = read.protocol;

  // Every rule between keys is the schema's; the first issue is blamed where it was written.
  const std::vector<ProblemIssue> issues = validate(cfg);
  if (!issues.empty()) IssueBlame(rd, root, cfg, sources, read).fail(issues.front());
  add_warnings(cfg);
  return cfg;
}

RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_config(toml_text::read_file(path, path, 0, ""), path, overrides);
}

}  // namespace citsim
