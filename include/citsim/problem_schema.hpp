// The schema of a problem (citsim/problem.hpp): every scalar key a config can set, with its kind,
// unit, allowed range and place in a RunConfig, and the rules that join keys (the resting loop's
// gain, the layers' order, a needle within the domain, sessions before the end ...). The TOML
// reader, sweeps, calibration, sensitivities and a program that fills in a RunConfig itself all
// read and check a problem here, so no key, range or rule is written twice.
//
// Parameters (`tissue.X`, `model.parameters.X`) are rows of the parameter table
// (model/parameters.hpp), seen here under their config keys.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/problem.hpp"

namespace citsim {

enum class KeyKind { Number, Integer, Boolean, Choice, Text };

/// An allowed interval, each end open or closed; a value in it is finite.
struct Interval {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double x) const;
  /// "in (0, 5] mm", ">= 0 days", "> 0" (no unit for "" or "-").
  std::string describe(std::string_view unit) const;
};

/// A value as a config writes it: true, 3, 0.5, "pen".
using KeyValue = std::variant<bool, std::int64_t, double, std::string>;

/// One settable scalar key.
struct KeySpec {
  std::string path;                     ///< dotted, as a config spells it: "patient.age", "numerics.dt_rel"
  KeyKind kind = KeyKind::Number;
  std::string_view unit;                ///< "" or "-" when dimensionless
  Interval range;                       ///< numbers and integers
  std::vector<std::string_view> words;  ///< the allowed words of a choice
  std::string_view note;                ///< follows the rule in messages, in parentheses
  std::string_view description;         ///< one line
  const ParameterSpec* parameter = nullptr;  ///< tissue.X and model.parameters.X: the table's row
};

/// Every key of a problem: its scalar keys, then `protocol.series.needle.*`, then every parameter
/// under `tissue.` or `model.parameters.`. Structural keys (`[[protocol.session]]`,
/// `[[protocol.series.needles]]`, `model.parameter_file`) are a reader's business.
std::span<const KeySpec> problem_keys();

/// A parameter's config key: "tissue.z_bottom", "model.parameters.k_tx".
std::string parameter_key(const ParameterSpec& parameter);

/// The row of a dotted key, or nullptr.
const KeySpec* find_key(std::string_view path);

/// The fields of one session (`time`, `device`, `needle_length`, `density`, `passes`, ...): the
/// keys of a `[[protocol.session]]` table; `path` is the field's name.
std::span<const KeySpec> session_keys();
const KeySpec* find_session_key(std::string_view field);

/// The value as `spec` takes it (an integer given for a number becomes a double), or nullopt if
/// its kind or range is not allowed.
std::optional<KeyValue> accepted(const KeySpec& spec, const KeyValue& value);

/// What `spec` allows, as messages say it after the value: "must be a number in [0, 120] years".
std::string allowed_text(const KeySpec& spec);

/// A value as a config would write it: true, 3, 0.5, "pen".
std::string to_text(const KeyValue& value);

/// Sets `key` on `config` after checking it against the schema. Besides the keys of
/// problem_keys(), `protocol.sessions[i].FIELD` sets a field of the i-th session. Keys of
/// `protocol.series` lay out the sessions again (a problem without sessions gets the default
/// series); a roller's `passes` (and a drum parameter) set its `density`, as a config does.
/// Throws ConfigError (file "RunConfig") naming the key, the value and what is allowed.
void set(RunConfig& config, std::string_view key, const KeyValue& value);

/// The value of `key` (also `protocol.sessions[i].FIELD`); nullopt when the problem has none
/// (a series key of sessions listed one by one, a needle key of a problem without sessions).
/// Throws ConfigError for an unknown key.
std::optional<KeyValue> get(const RunConfig& config, std::string_view key);

/// One field of a session, checked like set(RunConfig&, ...); the roller's density is the caller's.
void set(Session& session, std::string_view field, const KeyValue& value);
KeyValue get(const Session& session, std::string_view field);

/// Something a problem cannot be, blamed on the keys that can fix it: the first is the likeliest,
/// and a reader blames the first its file gives. Sessions are named `protocol.sessions[i].FIELD`.
struct ProblemIssue {
  std::vector<std::string> keys;
  /// What is allowed, as messages say it after the value: one text for every key, or one per key
  /// (a rule between two keys reads differently from each side).
  std::vector<std::string> messages;

  const std::string& message(std::size_t key_index = 0) const {
    return messages.size() == keys.size() ? messages[key_index] : messages.front();
  }
};

/// Every problem `config` has: values out of range (set on the struct directly) and rules between
/// keys. Empty: the problem is one the model can run.
std::vector<ProblemIssue> validate(const RunConfig& config);

/// "key 'k' = v: message" for an issue, its value read from `config`.
std::string describe(const RunConfig& config, const ProblemIssue& issue);

/// A problem with issues, refused before any work (run_simulation). A ConfigError: bad input.
class InvalidProblem : public ConfigError {
 public:
  InvalidProblem(const RunConfig& config, std::vector<ProblemIssue> issues);
  const std::vector<ProblemIssue>& issues() const { return issues_; }

 private:
  std::vector<ProblemIssue> issues_;
};

/// Throws InvalidProblem listing every issue of `config`, if it has any.
void require_valid(const RunConfig& config);

}  // namespace citsim
