// The problem's keys and rules (citsim/problem_schema.hpp). Each rule is judged by the model's
// own functions (tissue.hpp's loop gain at its v_max, injury.hpp's roller density,
// field_grid.hpp's lateral cells), never a copy of them: a copy drifts, and a problem it passed
// would run an unstable tissue.
#include "citsim/problem_schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <type_traits>
#include <utility>

#include "citsim/model/injury.hpp"
#include "citsim/model/tissue.hpp"
#include "citsim/numerics/field_grid.hpp"
#include "citsim/numerics/kinetics_stepper.hpp"

namespace citsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::string_view kSource = "RunConfig";  // the "file" of messages about a struct
constexpr std::string_view kSessionsPrefix = "protocol.sessions[";
constexpr std::string_view kNeedlePrefix = "protocol.series.needle.";
constexpr double kMaxDensity = 5000.0;  // channels/cm^2: the top of `density`'s range

constexpr Interval positive{0.0, kInf, true, true};
constexpr Interval non_negative{0.0, kInf, false, true};
constexpr Interval open_closed(double lo, double hi) { return {lo, hi, true, false}; }
constexpr Interval closed(double lo, double hi) { return {lo, hi, false, false}; }

/// " mm" for a unit, nothing for dimensionless ("-" in the parameter table).
std::string unit_suffix(std::string_view unit) {
  if (unit.empty() || unit == "-") return {};
  return fmt::format(" {}", unit);  // not " " + std::string: GCC 12 warns falsely (-Wrestrict)
}

// ---------------------------------------------------------------------------------------------
// The words of each choice, as configs write them

template <class E>
struct Words;
template <>
struct Words<LaxityCause> {
  static constexpr std::array<std::pair<std::string_view, LaxityCause>, 3> list = {
      {{"aging", LaxityCause::Aging}, {"postpartum", LaxityCause::Postpartum}, {"weight_loss", LaxityCause::WeightLoss}}};
};
template <>
struct Words<Device> {
  static constexpr std::array<std::pair<std::string_view, Device>, 2> list = {
      {{"pen", Device::Pen}, {"roller", Device::Roller}}};
};
template <>
struct Words<Sterility> {
  static constexpr std::array<std::pair<std::string_view, Sterility>, 2> list = {
      {{"sterile", Sterility::Sterile}, {"non_sterile", Sterility::NonSterile}}};
};
template <>
struct Words<ModelLevel> {
  static constexpr std::array<std::pair<std::string_view, ModelLevel>, 4> list = {
      {{"0d", ModelLevel::ZeroD}, {"1d", ModelLevel::OneD}, {"2d", ModelLevel::TwoD}, {"3d", ModelLevel::ThreeD}}};
};
template <>
struct Words<ColumnClosure> {
  static constexpr std::array<std::pair<std::string_view, ColumnClosure>, 3> list = {
      {{"mean-field", ColumnClosure::MeanField},
       {"core-surround", ColumnClosure::CoreSurround},
       {"core-surround-slits", ColumnClosure::CoreSurroundSlits}}};
};
template <>
struct Words<KineticsMethod> {
  static constexpr std::array<std::pair<std::string_view, KineticsMethod>, 4> list = {
      {{"rodas4", KineticsMethod::Rodas4},
       {"ros3", KineticsMethod::Ros3},
       {"rodas3", KineticsMethod::Rodas3},
       {"ros34pw2", KineticsMethod::Ros34pw2}}};
};
template <>
struct Words<Splitting> {
  static constexpr std::array<std::pair<std::string_view, Splitting>, 2> list = {
      {{"rebalanced", Splitting::Rebalanced}, {"strang", Splitting::Strang}}};
};

// ---------------------------------------------------------------------------------------------
// Plain values <-> KeyValue, by the field's type (accepted() has checked the value's kind)

template <class T>
KeyValue value_of(const T& x) {
  if constexpr (std::is_same_v<T, bool>) {
    return x;
  } else if constexpr (std::is_enum_v<T>) {
    for (const auto& [word, e] : Words<T>::list)
      if (e == x) return std::string(word);
    return std::string("?");
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(x);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return x;
  } else {
    return static_cast<std::int64_t>(x);
  }
}

template <class T>
T from_value(const KeyValue& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return std::get<bool>(v);
  } else if constexpr (std::is_enum_v<T>) {
    for (const auto& [word, e] : Words<T>::list)
      if (word == std::get<std::string>(v)) return e;
    return Words<T>::list.front().second;
  } else if constexpr (std::is_floating_point_v<T>) {
    return std::get<double>(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return std::get<std::string>(v);
  } else {
    return static_cast<T>(std::get<std::int64_t>(v));
  }
}

template <class T>
constexpr KeyKind kind_of() {
  if constexpr (std::is_same_v<T, bool>) return KeyKind::Boolean;
  else if constexpr (std::is_enum_v<T>) return KeyKind::Choice;
  else if constexpr (std::is_floating_point_v<T>) return KeyKind::Number;
  else if constexpr (std::is_same_v<T, std::string>) return KeyKind::Text;
  else return KeyKind::Integer;
}

template <class T>
std::vector<std::string_view> words_of() {
  std::vector<std::string_view> out;
  if constexpr (std::is_enum_v<T>)
    for (const auto& [word, e] : Words<T>::list) out.push_back(word);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The tables

using Getter = std::optional<KeyValue> (*)(const RunConfig&);
using Setter = void (*)(RunConfig&, const KeyValue&);
using SessionGetter = KeyValue (*)(const Session&);
using SessionSetter = void (*)(Session&, const KeyValue&);

/// How a problem key reaches its value: a field of the RunConfig, a field of every session of
/// the series (`needle`), or a parameter (KeySpec::parameter).
struct Access {
  Getter get = nullptr;
  Setter set = nullptr;
  std::string_view needle;  ///< protocol.series.needle.X: the session field X
};

struct Schema {
  std::vector<KeySpec> keys;
  std::vector<Access> access;  ///< one per key
};

struct SessionSchema {
  std::vector<KeySpec> keys;
  std::vector<std::pair<SessionGetter, SessionSetter>> access;
};

template <auto Outer, auto Inner>
std::optional<KeyValue> get_member(const RunConfig& c) {
  return value_of((c.*Outer).*Inner);
}
template <auto Outer, auto Inner>
void set_member(RunConfig& c, const KeyValue& v) {
  auto& x = (c.*Outer).*Inner;
  x = from_value<std::remove_cvref_t<decltype(x)>>(v);
}
template <auto Top>
std::optional<KeyValue> get_top(const RunConfig& c) {
  return value_of(c.*Top);
}
template <auto Top>
void set_top(RunConfig& c, const KeyValue& v) {
  auto& x = c.*Top;
  x = from_value<std::remove_cvref_t<decltype(x)>>(v);
}
template <auto Field>
KeyValue get_field(const Session& s) {
  return value_of(s.*Field);
}
template <auto Field>
void set_field(Session& s, const KeyValue& v) {
  auto& x = s.*Field;
  x = from_value<std::remove_cvref_t<decltype(x)>>(v);
}

template <class T>
KeySpec spec(std::string path, Interval range, std::string_view unit, std::string_view description,
             std::string_view note = {}) {
  KeySpec k;
  k.path = std::move(path);
  k.kind = kind_of<T>();
  k.unit = unit;
  k.range = range;
  k.words = words_of<T>();
  k.note = note;
  k.description = description;
  return k;
}

const SessionSchema& session_schema() {
  static const SessionSchema schema = [] {
    SessionSchema s;
    const auto add = [&s]<auto Field>(std::string_view name, Interval range, std::string_view unit,
                                      std::string_view description) {
      using T = std::remove_cvref_t<decltype(Session{}.*Field)>;
      s.keys.push_back(spec<T>(std::string(name), range, unit, description));
      s.access.emplace_back(&get_field<Field>, &set_field<Field>);
    };
    add.operator()<&Session::time>("time", non_negative, "days", "the day of the session");
    add.operator()<&Session::device>("device", {}, "", "a pen (stamping) or a roller (drum)");
    add.operator()<&Session::needle_length>("needle_length", open_closed(0, 5), "mm", "needle length L");
    add.operator()<&Session::density>("density", open_closed(0, kMaxDensity), "channels/cm^2",
                                      "channels per cm² (rollers: or passes)");
    add.operator()<&Session::passes>("passes", closed(1, 100), "", "roller passes (rollers only)");
    add.operator()<&Session::needle_diameter>("needle_diameter", open_closed(0, 2), "mm", "needle diameter at the base");
    add.operator()<&Session::tip_length>("tip_length", open_closed(0, 3), "mm", "length of the conical tip");
    add.operator()<&Session::sharpness>("sharpness", open_closed(0, 1), "", "1 = a new needle; blunt needles widen the channels");
    add.operator()<&Session::sterility>("sterility", {}, "", "sterile or non-sterile needles (inoculum)");
    return s;
  }();
  return schema;
}

/// A roller given by its passes has the density they make with its drum (injury.hpp).
void derive_roller_density(Session& s, const Parameters& p) {
  if (s.device == Device::Roller && s.passes > 0) s.density = roller_density(s.passes, p);
}

bool same_needle(const Session& a, const Session& b) {
  Session c = b;
  c.time = a.time;
  return a.device == c.device && a.needle_length == c.needle_length && a.density == c.density &&
         a.passes == c.passes && a.needle_diameter == c.needle_diameter && a.tip_length == c.tip_length &&
         a.sharpness == c.sharpness && a.sterility == c.sterility;
}

[[noreturn]] void refuse(std::string_view key, const KeyValue* value, std::string allowed) {
  throw ConfigError(std::string(kSource), 0, std::string(key), value ? to_text(*value) : std::string(),
                    std::move(allowed));
}

/// Whether the sessions are still the series' (a program may have edited them since): only then
/// do the protocol.series keys describe them.
bool follows_series(const Protocol& pr) {
  if (!pr.series || pr.sessions.size() != static_cast<std::size_t>(pr.series->count)) return false;
  for (std::size_t k = 0; k < pr.sessions.size(); ++k)
    if (pr.sessions[k].time != series_day(*pr.series, k)) return false;
  return true;
}

/// The series the protocol.series keys act on: a problem without sessions gets the default one.
SessionSeries& series_of(RunConfig& c, std::string_view key, const KeyValue& v) {
  Protocol& pr = c.protocol;
  if (pr.sessions.empty()) pr.series.reset();
  if (!follows_series(pr)) {
    if (!pr.sessions.empty())
      refuse(key, &v,
             "the sessions are listed one by one (or were edited since the series laid them out), not as a "
             "series: set protocol.sessions[i].FIELD, or clear protocol.sessions first");
    pr.series = SessionSeries{};
    pr.sessions.assign(static_cast<std::size_t>(pr.series->count), Session{});
    for (std::size_t k = 0; k < pr.sessions.size(); ++k) pr.sessions[k].time = series_day(*pr.series, k);
  }
  return *pr.series;
}

/// Lays the series' sessions out again: `count` sessions with the series' needle, at its days.
void lay_out(RunConfig& c, std::string_view key, const KeyValue& v) {
  Protocol& pr = c.protocol;
  const SessionSeries& s = *pr.series;
  const auto count = static_cast<std::size_t>(s.count);
  if (count != pr.sessions.size() && !pr.sessions.empty())
    for (const Session& x : pr.sessions)
      if (!same_needle(x, pr.sessions.front()))
        refuse(key, &v,
               "the series has one needle per session ([[protocol.series.needles]]): its count cannot "
               "change; set the sessions themselves");
  const Session needle = pr.sessions.empty() ? Session{} : pr.sessions.front();
  pr.sessions.resize(count, needle);
  for (std::size_t k = 0; k < count; ++k) pr.sessions[k].time = series_day(s, k);
}

const Schema& schema() {
  static const Schema schema = [] {
    Schema s;
    const auto add = [&s](KeySpec k, Getter g, Setter st) {
      s.keys.push_back(std::move(k));
      s.access.push_back({g, st, {}});
    };
    using C = RunConfig;
    add(spec<std::int64_t>("seed", non_negative, "", "seed of the 2D/3D channel patterns"), &get_top<&C::seed>,
        &set_top<&C::seed>);
    // patient (docs/model.md §1, §2)
    add(spec<double>("patient.age", closed(0, 120), "years", "the patient's age at the start"),
        &get_member<&C::patient, &Patient::age>, &set_member<&C::patient, &Patient::age>);
    add(spec<LaxityCause>("patient.laxity_cause", {}, "", "what made the skin lax"),
        &get_member<&C::patient, &Patient::laxity_cause>, &set_member<&C::patient, &Patient::laxity_cause>);
    add(spec<bool>("patient.smoker", {}, "", "smoking lowers synthesis (smoker_sigma)"),
        &get_member<&C::patient, &Patient::smoker>, &set_member<&C::patient, &Patient::smoker>);
    add(spec<bool>("patient.keloid_tendency", {}, "", "allowed with a warning: myofibroblasts persist"),
        &get_member<&C::patient, &Patient::keloid_tendency>, &set_member<&C::patient, &Patient::keloid_tendency>);
    add(spec<bool>("patient.anticoagulant", {}, "", "allowed with a warning: more bleeding"),
        &get_member<&C::patient, &Patient::anticoagulant>, &set_member<&C::patient, &Patient::anticoagulant>);
    add(spec<double>("patient.sun_exposure", closed(0, 1), "", "after-care without sun protection, 0-1"),
        &get_member<&C::patient, &Patient::sun_exposure>, &set_member<&C::patient, &Patient::sun_exposure>);
    add(spec<bool>("patient.pregnant", {}, "", "a contraindication"), &get_member<&C::patient, &Patient::pregnant>,
        &set_member<&C::patient, &Patient::pregnant>);
    add(spec<bool>("patient.breastfeeding", {}, "", "a contraindication"),
        &get_member<&C::patient, &Patient::breastfeeding>, &set_member<&C::patient, &Patient::breastfeeding>);
    add(spec<bool>("patient.active_skin_infection", {}, "", "a contraindication"),
        &get_member<&C::patient, &Patient::active_skin_infection>,
        &set_member<&C::patient, &Patient::active_skin_infection>);
    // protocol (docs/model.md §6)
    add(spec<double>("protocol.end_days", positive, "days", "the absolute day the run ends"),
        &get_member<&C::protocol, &Protocol::end_days>, &set_member<&C::protocol, &Protocol::end_days>);
    add(spec<bool>("protocol.allow_contraindicated", {}, "", "simulate a contraindicated patient anyway"),
        &get_member<&C::protocol, &Protocol::allow_contraindicated>,
        &set_member<&C::protocol, &Protocol::allow_contraindicated>);
    add(
        spec<int>("protocol.series.count", closed(1, 1000), "", "sessions in the series"),
        [](const C& c) -> std::optional<KeyValue> {
          if (!follows_series(c.protocol)) return std::nullopt;
          return std::int64_t{c.protocol.series->count};
        },
        [](C& c, const KeyValue& v) {
          series_of(c, "protocol.series.count", v).count = static_cast<int>(std::get<std::int64_t>(v));
          lay_out(c, "protocol.series.count", v);
        });
    add(
        spec<double>("protocol.series.interval_days", positive, "days", "days between sessions"),
        [](const C& c) -> std::optional<KeyValue> {
          if (!follows_series(c.protocol)) return std::nullopt;
          return c.protocol.series->interval_days;
        },
        [](C& c, const KeyValue& v) {
          series_of(c, "protocol.series.interval_days", v).interval_days = std::get<double>(v);
          lay_out(c, "protocol.series.interval_days", v);
        });
    add(
        spec<double>("protocol.series.first_day", non_negative, "days", "the day of the first session"),
        [](const C& c) -> std::optional<KeyValue> {
          if (!follows_series(c.protocol)) return std::nullopt;
          return c.protocol.series->first_day;
        },
        [](C& c, const KeyValue& v) {
          series_of(c, "protocol.series.first_day", v).first_day = std::get<double>(v);
          lay_out(c, "protocol.series.first_day", v);
        });
    for (const KeySpec& field : session_schema().keys) {
      if (field.path == "time") continue;  // a series sets the times itself
      KeySpec k = field;
      k.path = fmt::format("{}{}", kNeedlePrefix, field.path);
      s.keys.push_back(std::move(k));
      s.access.push_back({nullptr, nullptr, field.path});
    }
    // model (docs/model.md "The spatial levels")
    add(spec<ModelLevel>("model.level", {}, "", "0d, the depth column 1d, the cross-section 2d, the patch 3d"),
        &get_top<&C::level>, &set_top<&C::level>);
    add(spec<bool>("model.aging_drift", {}, "", "let the patient age during the run"), &get_top<&C::aging_drift>,
        &set_top<&C::aging_drift>);
    // numerics (docs/model.md "Numerics")
    using N = NumericsConfig;
    add(spec<double>("numerics.dz", open_closed(0, 0.5), "mm", "depth cell size"),
        &get_member<&C::numerics, &N::dz>, &set_member<&C::numerics, &N::dz>);
    add(spec<double>("numerics.dx", open_closed(0, 0.5), "mm", "lateral cell size in 2D and 3D"),
        &get_member<&C::numerics, &N::dx>, &set_member<&C::numerics, &N::dx>);
    add(spec<double>("numerics.rtol", open_closed(0, 0.1), "", "relative tolerance of the kinetics"),
        &get_member<&C::numerics, &N::rtol>, &set_member<&C::numerics, &N::rtol>);
    add(spec<double>("numerics.atol", positive, "", "absolute tolerance of the kinetics"),
        &get_member<&C::numerics, &N::atol>, &set_member<&C::numerics, &N::atol>);
    add(spec<KineticsMethod>("numerics.kinetics_method", {}, "", "the Rosenbrock method of the kinetics"),
        &get_member<&C::numerics, &N::kinetics_method>, &set_member<&C::numerics, &N::kinetics_method>);
    add(spec<Splitting>("numerics.splitting", {}, "", "how a split step couples transport and kinetics"),
        &get_member<&C::numerics, &N::splitting>, &set_member<&C::numerics, &N::splitting>);
    add(spec<double>("numerics.dt_rel", positive, "", "split step relative to the time since the last session"),
        &get_member<&C::numerics, &N::dt_rel>, &set_member<&C::numerics, &N::dt_rel>);
    add(spec<double>("numerics.dt_lag", positive, "days", "added to the time since the last session"),
        &get_member<&C::numerics, &N::dt_lag>, &set_member<&C::numerics, &N::dt_lag>);
    // a first kinetics step below the stepper's smallest fails at once
    add(spec<double>("numerics.dt_min", Interval{kMinKineticsStep, kInf, false, true}, "days", "smallest split step"),
        &get_member<&C::numerics, &N::dt_min>, &set_member<&C::numerics, &N::dt_min>);
    add(spec<double>("numerics.dt_max", positive, "days", "largest split step"),
        &get_member<&C::numerics, &N::dt_max>, &set_member<&C::numerics, &N::dt_max>);
    add(spec<ColumnClosure>("numerics.closure", {}, "", "how the 1D column represents the channels"),
        &get_member<&C::numerics, &N::closure>, &set_member<&C::numerics, &N::closure>);
    add(spec<int>("numerics.closure_shells", closed(1, 64), "", "shells of the closure's surround",
                  "one shell is the two-compartment closure"),
        &get_member<&C::numerics, &N::closure_shells>, &set_member<&C::numerics, &N::closure_shells>);
    // output
    using O = OutputConfig;
    add(spec<std::string>("output.path", {}, "", "the HDF5 file to write", "the HDF5 file to write"),
        &get_member<&C::output, &O::path>, &set_member<&C::output, &O::path>);
    add(spec<double>("output.dt", positive, "days", "record every dt"), &get_member<&C::output, &O::dt>,
        &set_member<&C::output, &O::dt>);
    add(spec<double>("output.dense_dt", positive, "days", "record every dense_dt for dense_days after each session"),
        &get_member<&C::output, &O::dense_dt>, &set_member<&C::output, &O::dense_dt>);
    add(spec<double>("output.dense_days", non_negative, "days", "days of dense records after each session"),
        &get_member<&C::output, &O::dense_days>, &set_member<&C::output, &O::dense_days>);
    add(spec<double>("output.profile_dt", positive, "days", "depth profiles every profile_dt"),
        &get_member<&C::output, &O::profile_dt>, &set_member<&C::output, &O::profile_dt>);
    // parameters: the parameter table's rows under their config keys
    for (const ParameterSpec& p : parameter_table()) {
      KeySpec k = spec<double>(parameter_key(p), closed(p.min, p.max), p.unit, p.source);
      k.parameter = &p;
      s.keys.push_back(std::move(k));
      s.access.push_back({});
    }
    return s;
  }();
  return schema;
}

std::optional<std::size_t> index_of(std::string_view path) {
  const auto& keys = schema().keys;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i].path == path) return i;
  return std::nullopt;
}

std::optional<std::size_t> session_index_of(std::string_view field) {
  const auto& keys = session_schema().keys;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i].path == field) return i;
  return std::nullopt;
}

/// "protocol.sessions[i].FIELD" split into i and FIELD.
std::optional<std::pair<std::size_t, std::string_view>> session_key(std::string_view key) {
  if (!key.starts_with(kSessionsPrefix)) return std::nullopt;
  const std::string_view rest = key.substr(kSessionsPrefix.size());
  std::size_t i = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), i);
  if (ec != std::errc() || end == rest.data()) return std::nullopt;
  const std::string_view tail = rest.substr(static_cast<std::size_t>(end - rest.data()));
  if (!tail.starts_with("].")) return std::nullopt;
  return std::pair{i, tail.substr(2)};
}

std::string session_field_key(std::size_t i, std::string_view field) {
  return fmt::format("{}{}].{}", kSessionsPrefix, i, field);
}

[[noreturn]] void unknown_key(std::string_view key, const KeyValue* value) {
  std::string_view best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const KeySpec& k : schema().keys)
    if (const std::size_t d = edit_distance(key, k.path); d < best_d) {
      best_d = d;
      best = k.path;
    }
  refuse(key, value,
         fmt::format("unknown key; did you mean '{}'? (problem_keys() lists them; a session's field is "
                     "protocol.sessions[i].FIELD)",
                     best));
}

/// Checks `value` against `spec`, naming `key` when it is refused.
KeyValue checked(const KeySpec& spec, std::string_view key, const KeyValue& value) {
  const auto v = accepted(spec, value);
  if (!v) refuse(key, &value, allowed_text(spec));
  return *v;
}

bool is_drum_parameter(const KeySpec& k) {
  return k.parameter != nullptr &&
         (k.parameter->name == "roller_needles" || k.parameter->name == "roller_diameter" ||
          k.parameter->name == "roller_width");
}

// ---------------------------------------------------------------------------------------------
// validate(): the rules between keys

class Issues {
 public:
  void add(std::vector<std::string> keys, std::string message) {
    out.push_back({std::move(keys), {std::move(message)}});
  }
  void add(std::vector<std::string> keys, std::vector<std::string> messages) {
    out.push_back({std::move(keys), std::move(messages)});
  }
  static std::string p(std::string_view name) { return parameter_key(*find_parameter(name)); }

  std::vector<ProblemIssue> out;
};

void check_values(const RunConfig& c, Issues& is) {
  const Schema& s = schema();
  for (std::size_t i = 0; i < s.keys.size(); ++i) {
    const KeySpec& k = s.keys[i];
    if (!s.access[i].needle.empty()) continue;  // the sessions are checked one by one below
    if (k.kind == KeyKind::Text) continue;  // output.path is the writer's: a run in memory needs none
    const std::optional<KeyValue> v =
        k.parameter ? std::optional<KeyValue>(c.parameters.*k.parameter->field) : s.access[i].get(c);
    if (v && !accepted(k, *v)) is.add({k.path}, allowed_text(k));
  }
  const auto& fields = session_schema();
  for (std::size_t j = 0; j < c.protocol.sessions.size(); ++j) {
    const Session& x = c.protocol.sessions[j];
    // A series repeats one needle: its fields are reported once, the times of every session.
    const bool repeated = j > 0 && same_needle(x, c.protocol.sessions[j - 1]);
    for (std::size_t f = 0; f < fields.keys.size(); ++f) {
      const KeySpec& k = fields.keys[f];
      if (repeated && k.path != "time") continue;
      if (k.path == "passes" && x.passes == 0) continue;  // 0: no passes given (pens; rollers by density)
      if (!accepted(k, fields.access[f].first(x))) is.add({session_field_key(j, k.path)}, allowed_text(k));
    }
  }
}

/// docs/model.md §1: the layers must be ordered and hold less collagen than the packing limit.
void check_tissue(const Parameters& p, Issues& is) {
  // Either side of `lower < upper` can be blamed; each reads the rule from its side.
  const auto require_below = [&](std::string_view lower, std::string_view upper, std::string_view unit,
                                 std::string_view rule) {
    const double a = p.*find_parameter(lower)->field;
    const double b = p.*find_parameter(upper)->field;
    if (a < b) return;
    is.add({Issues::p(lower), Issues::p(upper)},
           std::vector<std::string>{
               fmt::format("must be less than {} = {}{}: {}", upper, b, unit_suffix(unit), rule),
               fmt::format("must be greater than {} = {}{}: {}", lower, a, unit_suffix(unit), rule)});
  };
  constexpr std::string_view layers =
      "the layers need 0 < z_papillary < z_reticular < z_bottom and epidermis < z_bottom";
  if (!(p.z_papillary > 0.0)) is.add({Issues::p("z_papillary")}, fmt::format("must be > 0 mm: {}", layers));
  require_below("z_papillary", "z_reticular", "mm", layers);
  require_below("z_reticular", "z_bottom", "mm", layers);
  require_below("epidermis", "z_bottom", "mm", layers);
  for (std::string_view c : {"C_papillary", "C_reticular", "C_hypodermis"})
    require_below(c, "C_max", "mg/cm^3",
                  "each layer's resting collagen must be below the packing limit C_max (docs/model.md §3)");
}

/// docs/model.md §3: the patient's resting collagen (a layer's, times the age and laxity factors,
/// which exceed 1 below age_ref or for a laxity factor above 1) must stay below the packing limit
/// too: resting production divides by 1 - C/C_max, and above it the collagen runs negative.
void check_patient_collagen(const Parameters& p, const Patient& patient, Issues& is) {
  const Parameters eff = effective_parameters(p, patient);
  for (const auto& [layer, effective] : {std::pair<std::string_view, double>{"C_papillary", eff.C_papillary},
                                         {"C_reticular", eff.C_reticular},
                                         {"C_hypodermis", eff.C_hypodermis}}) {
    if (effective < p.C_max) continue;
    // the layer, the limit, then the factors
    std::vector<std::string> keys = {Issues::p(layer), Issues::p("C_max"), Issues::p("age_C_slope"),
                                     Issues::p("age_ref")};
    if (patient.laxity_cause == LaxityCause::Postpartum) keys.push_back(Issues::p("postpartum_C"));
    if (patient.laxity_cause == LaxityCause::WeightLoss) keys.push_back(Issues::p("weight_loss_C"));
    keys.emplace_back("patient.age");
    is.add(std::move(keys),
           fmt::format("gives this patient (age {:g}, laxity {}) {:.4g} mg/cm^3 of resting collagen in {} (x{:.3g} "
                       "for age and laxity), not below the packing limit C_max = {:g} mg/cm^3 (docs/model.md §3)",
                       patient.age, to_string(patient.laxity_cause), effective, layer,
                       effective / (p.*find_parameter(layer)->field), p.C_max));
  }
}

/// docs/model.md §3: the type III share of the collagen fibroblasts make, q3 + Delta_f3·h(T) with
/// h < 1, must stay at most 1 in every layer; beyond it type I synthesis is negative.
void check_type3_share(const Parameters& p, Issues& is) {
  for (std::string_view layer : {"q3_papillary", "q3_reticular", "q3_hypodermis"}) {
    const double q3 = p.*find_parameter(layer)->field;
    if (q3 + p.Delta_f3 <= 1.0) continue;
    is.add({Issues::p(layer), Issues::p("Delta_f3")},
           fmt::format("{} + Delta_f3 = {:g} + {:g} exceeds 1: the type III share of new collagen, "
                       "q3 + Delta_f3 h(T), must stay at most 1 (docs/model.md §3)",
                       layer, q3, p.Delta_f3));
  }
}

/// docs/model.md §3: rest is stable iff the inflammatory loop's gain at the densest vessels is < 1.
void check_loop_gain(const Parameters& p, Issues& is) {
  const auto keys = [](std::initializer_list<std::string_view> names) {
    std::vector<std::string> out;
    for (std::string_view n : names) out.push_back(Issues::p(n));
    return out;
  };
  if (!(vascular_dermis_mean(p) > 0.0)) {
    is.add(keys({"v_base", "v_subpapillary", "v_deep", "plexus_width"}),
           "the dermis needs a positive vascular density (v_base, v_subpapillary, v_deep) to normalise v(z) "
           "(docs/model.md §1)");
    return;
  }
  const double g = loop_gain(p, max_vascular_density(p));
  if (g < 1.0) return;
  is.add(keys({"a_N", "a_M1", "s_N", "s_M", "K_N", "K_M", "mu_N", "mu_M", "k_12", "delta_Cp", "v_base",
               "v_subpapillary", "v_deep", "v_hypodermis", "plexus_width", "z_subpapillary", "z_deep",
               "z_papillary", "z_reticular"}),
         fmt::format("resting inflammation is unstable: loop gain G(v_max) = {:.3g} >= 1; lower a_N or a_M1 "
                     "(docs/model.md §3)",
                     g));
}

void check_numerics(const RunConfig& c, Issues& is) {
  const NumericsConfig& n = c.numerics;
  if (n.dt_min > n.dt_max)
    is.add({"numerics.dt_min", "numerics.dt_max"},
           fmt::format("needs dt_min <= dt_max (dt_min = {}, dt_max = {} days)", n.dt_min, n.dt_max));
  if (c.level == ModelLevel::TwoD || c.level == ModelLevel::ThreeD) {
    // The field grid's own rule (field_grid.hpp): a periodic lateral line needs 3 cells.
    const bool three_d = c.level == ModelLevel::ThreeD;
    const double width = three_d ? c.parameters.width_3d : c.parameters.width_2d;
    const std::size_t cells = lateral_cell_count(width, n.dx);
    if (cells < kMinLateralCells)
      is.add({"numerics.dx"},
             fmt::format("gives {} lateral cell(s) across the {} width {} = {:g} mm; a periodic side needs at least "
                         "3: dx <= {:.4g} mm",
                         cells, three_d ? "3D" : "2D", three_d ? "width_3d" : "width_2d", width, width / 2.5));
  }
}

/// docs/model.md §2: what each device takes, and needle geometry the model cannot represent (a
/// needle reaching below the domain bottom; channels closer than the needle is wide).
void check_session(const Session& s, std::size_t i, const Parameters& p, Issues& is) {
  const auto key = [i](std::string_view field) { return session_field_key(i, field); };
  if (s.device == Device::Pen && s.passes != 0)
    is.add({key("passes")}, "passes is for rollers only (device = \"roller\"); a pen takes density (channels/cm^2)");
  const bool by_passes = s.device == Device::Roller && s.passes > 0;
  if (by_passes && s.density != roller_density(s.passes, p)) {
    is.add({key("passes"), key("density")},
           fmt::format("give a roller either passes or density (channels/cm^2), not both: {} passes of this drum "
                       "make {:.1f} channels/cm^2, the density says {:g}",
                       s.passes, roller_density(s.passes, p), s.density));
    return;
  }
  if (by_passes && !(s.density <= kMaxDensity)) {
    is.add({key("passes")}, fmt::format("gives {:.1f} channels/cm^2 with this drum (roller_needles, roller_diameter, "
                                        "roller_width); at most 5000 are allowed",
                                        s.density));
    return;
  }
  const double eta = s.device == Device::Pen ? p.eta_pen : p.eta_roller;
  const double floor_depth = p.epidermis + p.z_bottom;  // skin surface to the domain bottom [mm]
  if (eta * s.needle_length > floor_depth)
    is.add({key("needle_length")},
           fmt::format("reaches {:g} mm below the surface ({} = {:g} times the length), beyond the domain bottom "
                       "at {:g} mm (epidermis + z_bottom): must be at most {:.4g} mm, or raise tissue.z_bottom",
                       eta * s.needle_length, s.device == Device::Pen ? "eta_pen" : "eta_roller", eta, floor_depth,
                       floor_depth / eta));
  const double spacing = 10.0 / std::sqrt(s.density);  // mean channel spacing [mm]; 1 cm = 10 mm
  if (spacing < s.needle_diameter)
    is.add({key(by_passes ? "passes" : "density")},
           fmt::format("{:g} channels/cm^2 puts channels {:.3g} mm apart, less than the needle diameter {:g} mm "
                       "(channels would overlap): with this needle at most {:.4g} channels/cm^2",
                       s.density, spacing, s.needle_diameter, 100.0 / (s.needle_diameter * s.needle_diameter)));
}

void check_protocol(const RunConfig& c, Issues& is) {
  const Protocol& pr = c.protocol;
  for (std::size_t i = 0; i < pr.sessions.size(); ++i) {
    if (i > 0 && same_needle(pr.sessions[i], pr.sessions[i - 1])) continue;  // one message per needle
    check_session(pr.sessions[i], i, c.parameters, is);
  }
  for (std::size_t i = 1; i < pr.sessions.size(); ++i)
    if (!(pr.sessions[i].time > pr.sessions[i - 1].time))
      is.add({session_field_key(i, "time")},
             fmt::format("{} protocol.sessions[{}] (day {}): sessions are in time order and two cannot share a day",
                         pr.sessions[i].time == pr.sessions[i - 1].time ? "same time as" : "before", i - 1,
                         pr.sessions[i - 1].time));
  double last = -kInf;
  for (const Session& s : pr.sessions) last = std::max(last, s.time);
  if (!pr.sessions.empty() && !(pr.end_days > last))
    is.add({"protocol.end_days"},
           fmt::format("must be after the last session (day {}): it is an absolute day, not a duration", last));
}

/// docs/model.md §2: pregnancy, breastfeeding and active skin infection are refused unless
/// protocol.allow_contraindicated; the run then warns instead (the reader).
void check_contraindications(const RunConfig& c, Issues& is) {
  if (c.protocol.sessions.empty() || c.protocol.allow_contraindicated) return;
  const auto refuse_if = [&](bool present, std::string_view key, std::string_view reason) {
    if (present)
      is.add({std::string(key)},
             fmt::format("{}; to simulate it anyway (teaching, research), set allow_contraindicated = true under "
                         "[protocol]",
                         reason));
  };
  refuse_if(c.patient.pregnant, "patient.pregnant",
            "microneedling is contraindicated in pregnancy: the safety of microneedling and of the topical agents "
            "used with it is not established, and hormonal changes alter wound healing and raise the risk of "
            "pigmentation");
  refuse_if(c.patient.breastfeeding, "patient.breastfeeding",
            "microneedling is contraindicated while breastfeeding: the safety of microneedling and of the topical "
            "agents used with it is not established, and hormonal changes alter wound healing and raise the risk "
            "of pigmentation");
  refuse_if(c.patient.active_skin_infection, "patient.active_skin_infection",
            "microneedling is contraindicated over an active skin infection: the needles spread the infection "
            "through the channels, with a risk of deep infection");
}

std::string first_key(const std::vector<ProblemIssue>& issues) {
  return issues.empty() || issues.front().keys.empty() ? std::string() : issues.front().keys.front();
}

std::string value_text(const RunConfig& c, const std::string& key) {
  try {
    const auto v = get(c, key);
    return v ? to_text(*v) : std::string();
  } catch (const ConfigError&) {
    return {};
  }
}

std::string all_messages(const RunConfig& c, const std::vector<ProblemIssue>& issues) {
  if (issues.empty()) return "the problem has no issues";
  std::string out = issues.front().message();
  if (issues.size() > 1) {
    out += fmt::format("\n  and {} more issue(s):", issues.size() - 1);
    for (std::size_t i = 1; i < issues.size(); ++i) out += "\n  " + describe(c, issues[i]);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

bool Interval::contains(double x) const {
  if (!std::isfinite(x)) return false;
  const bool above = lo_open ? x > lo : x >= lo;
  const bool below = hi_open ? x < hi : x <= hi;
  return above && below;
}

std::string Interval::describe(std::string_view unit) const {
  const std::string u = unit_suffix(unit);
  if (hi == kInf) return fmt::format("{} {:g}{}", lo_open ? ">" : ">=", lo, u);
  return fmt::format("in {}{:g}, {:g}{}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]", u);
}

std::string parameter_key(const ParameterSpec& p) {
  return fmt::format("{}.{}", p.group == ParameterGroup::Tissue ? "tissue" : "model.parameters", p.name);
}

std::span<const KeySpec> problem_keys() { return schema().keys; }

const KeySpec* find_key(std::string_view path) {
  const auto i = index_of(path);
  return i ? &schema().keys[*i] : nullptr;
}

std::span<const KeySpec> session_keys() { return session_schema().keys; }

const KeySpec* find_session_key(std::string_view field) {
  const auto i = session_index_of(field);
  return i ? &session_schema().keys[*i] : nullptr;
}

std::optional<KeyValue> accepted(const KeySpec& spec, const KeyValue& value) {
  switch (spec.kind) {
    case KeyKind::Number: {
      double x = 0.0;
      if (const auto* d = std::get_if<double>(&value)) x = *d;
      else if (const auto* i = std::get_if<std::int64_t>(&value)) x = static_cast<double>(*i);
      else return std::nullopt;
      if (!spec.range.contains(x)) return std::nullopt;
      return x;
    }
    case KeyKind::Integer: {
      const auto* i = std::get_if<std::int64_t>(&value);
      if (!i || !spec.range.contains(static_cast<double>(*i))) return std::nullopt;
      return *i;
    }
    case KeyKind::Boolean:
      if (!std::holds_alternative<bool>(value)) return std::nullopt;
      return value;
    case KeyKind::Choice: {
      const auto* s = std::get_if<std::string>(&value);
      if (!s || std::find(spec.words.begin(), spec.words.end(), *s) == spec.words.end()) return std::nullopt;
      return value;
    }
    case KeyKind::Text: {
      const auto* s = std::get_if<std::string>(&value);
      if (!s || s->empty()) return std::nullopt;
      return value;
    }
  }
  return std::nullopt;
}

std::string allowed_text(const KeySpec& spec) {
  const std::string note = spec.note.empty() ? std::string() : fmt::format(" ({})", spec.note);
  switch (spec.kind) {
    case KeyKind::Number: return "must be a number " + spec.range.describe(spec.unit) + note;
    case KeyKind::Integer: {
      const auto lo = static_cast<std::int64_t>(spec.range.lo);
      if (spec.range.hi == kInf) return fmt::format("must be an integer >= {}{}", lo, note);
      return fmt::format("must be an integer in {}..{}{}", lo, static_cast<std::int64_t>(spec.range.hi), note);
    }
    case KeyKind::Boolean: return "must be true or false";
    case KeyKind::Choice: {
      std::string out = "must be one of ";
      for (std::size_t i = 0; i < spec.words.size(); ++i) out += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", spec.words[i]);
      return out;
    }
    case KeyKind::Text: return "must be a non-empty string" + note;
  }
  return {};
}

std::string to_text(const KeyValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&value)) return fmt::format("{}", *i);
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  std::string out = "\"";
  for (char c : std::get<std::string>(value)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void set(Session& session, std::string_view field, const KeyValue& value) {
  const auto i = session_index_of(field);
  if (!i) refuse(field, &value, "not a field of a session");
  session_schema().access[*i].second(session, checked(session_schema().keys[*i], field, value));
}

KeyValue get(const Session& session, std::string_view field) {
  const auto i = session_index_of(field);
  if (!i) refuse(field, nullptr, "not a field of a session");
  return session_schema().access[*i].first(session);
}

void set(RunConfig& config, std::string_view key, const KeyValue& value) {
  if (const auto sk = session_key(key)) {
    const auto& [i, field] = *sk;
    if (i >= config.protocol.sessions.size())
      refuse(key, &value, fmt::format("no such session: the problem has {}", config.protocol.sessions.size()));
    if (!find_session_key(field)) refuse(key, &value, "not a field of a session");
    Session& s = config.protocol.sessions[i];
    set(s, field, checked(*find_session_key(field), key, value));
    if (field == "passes" || field == "device") derive_roller_density(s, config.parameters);
    return;
  }
  const auto i = index_of(key);
  if (!i) unknown_key(key, &value);
  const KeySpec& spec = schema().keys[*i];
  const Access& a = schema().access[*i];
  const KeyValue v = checked(spec, key, value);
  if (spec.parameter) {
    config.parameters.*spec.parameter->field = std::get<double>(v);
    const std::string name(spec.parameter->name);
    if (std::find(config.overridden.begin(), config.overridden.end(), name) == config.overridden.end())
      config.overridden.push_back(name);
    if (is_drum_parameter(spec))
      for (Session& s : config.protocol.sessions) derive_roller_density(s, config.parameters);
    return;
  }
  if (!a.needle.empty()) {
    (void)series_of(config, key, v);
    for (Session& s : config.protocol.sessions) {
      set(s, a.needle, v);
      if (a.needle == "passes" || a.needle == "device") derive_roller_density(s, config.parameters);
    }
    return;
  }
  a.set(config, v);
}

std::optional<KeyValue> get(const RunConfig& config, std::string_view key) {
  if (const auto sk = session_key(key)) {
    const auto& [i, field] = *sk;
    if (i >= config.protocol.sessions.size())
      refuse(key, nullptr, fmt::format("no such session: the problem has {}", config.protocol.sessions.size()));
    return get(config.protocol.sessions[i], field);
  }
  const auto i = index_of(key);
  if (!i) unknown_key(key, nullptr);
  const KeySpec& spec = schema().keys[*i];
  const Access& a = schema().access[*i];
  if (spec.parameter) return config.parameters.*spec.parameter->field;
  if (!a.needle.empty()) {
    if (!follows_series(config.protocol)) return std::nullopt;
    return get(config.protocol.sessions.front(), a.needle);
  }
  return a.get(config);
}

std::vector<ProblemIssue> validate(const RunConfig& config) {
  Issues is;
  check_values(config, is);
  check_tissue(config.parameters, is);
  check_patient_collagen(config.parameters, config.patient, is);
  check_type3_share(config.parameters, is);
  check_loop_gain(config.parameters, is);
  check_numerics(config, is);
  check_protocol(config, is);
  check_contraindications(config, is);
  return std::move(is.out);
}

std::string describe(const RunConfig& config, const ProblemIssue& issue) {
  const std::string key = issue.keys.empty() ? std::string() : issue.keys.front();
  const std::string value = key.empty() ? std::string() : value_text(config, key);
  std::string out = fmt::format("key '{}'", key);
  if (!value.empty()) out += " = " + value;
  return out + ": " + issue.message();
}

InvalidProblem::InvalidProblem(const RunConfig& config, std::vector<ProblemIssue> issues)
    : ConfigError(std::string(kSource), 0, first_key(issues), value_text(config, first_key(issues)),
                  all_messages(config, issues)),
      issues_(std::move(issues)) {}

void require_valid(const RunConfig& config) {
  std::vector<ProblemIssue> issues = validate(config);
  if (!issues.empty()) throw InvalidProblem(config, std::move(issues));
}

}  // namespace citsim
