#include "citsim/sweep/outcomes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

namespace citsim::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The readouts `run_simulation` (src/run.cpp) writes, in its order; a test checks the two agree.
constexpr std::array<ReadoutInfo, 11> kReadouts = {{
    {"R0", "mm"},
    {"R2", "1"},
    {"R5", "1"},
    {"R6", "1"},
    {"R7", "1"},
    {"firmness_gain", "percent"},
    {"erythema", "1"},
    {"tensile_strength", "1"},
    {"collagen_induction", "percent"},
    {"elastin_change", "percent"},
    {"scar_index", "day"},
}};

const ReadoutInfo* find_readout(std::string_view name) {
  if (name == "gain") name = "firmness_gain";
  for (const ReadoutInfo& r : kReadouts)
    if (r.name == name) return &r;
  return nullptr;
}

std::string readout_list() {
  std::string out;
  for (const ReadoutInfo& r : kReadouts) out += (out.empty() ? "" : ", ") + std::string(r.name);
  return out;
}

[[noreturn]] void bad_outcome(std::string_view, std::string_view why) {
  throw std::invalid_argument(fmt::format(
      "{}; an outcome is final_<readout>, max_<readout> (or peak_), min_<readout>, "
      "<readout>@<day> or days_to_<P>pct_<readout>, with <readout> one of {} (\"gain\" is "
      "firmness_gain)",
      why, readout_list()));
}

std::optional<double> parse_number(std::string_view s) {
  double x = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

const ReadoutInfo& readout_or_fail(std::string_view name, std::string_view readout) {
  const ReadoutInfo* r = find_readout(readout);
  if (!r) bad_outcome(name, fmt::format("'{}' is not a readout", readout));
  return *r;
}

/// Linear interpolation of `values` at day `t`; NaN outside the record times.
double value_at(std::span<const double> time, std::span<const double> values, double t) {
  if (time.empty() || t < time.front() || t > time.back()) return kNaN;
  const auto it = std::lower_bound(time.begin(), time.end(), t);
  const std::size_t k = static_cast<std::size_t>(it - time.begin());
  if (time[k] == t || k == 0) return values[k];
  const double w = (t - time[k - 1]) / (time[k] - time[k - 1]);
  return values[k - 1] + w * (values[k] - values[k - 1]);
}

}  // namespace

std::span<const ReadoutInfo> readout_names() { return kReadouts; }

OutcomeSpec parse_outcome(std::string_view name) {
  OutcomeSpec o;
  o.name = std::string(name);
  if (name.empty()) bad_outcome(name, "an empty outcome name");
  if (const auto at = name.find('@'); at != std::string_view::npos) {
    const ReadoutInfo& r = readout_or_fail(name, name.substr(0, at));
    const auto day = parse_number(name.substr(at + 1));
    if (!day || *day < 0.0)
      bad_outcome(name, fmt::format("'{}' after '@' is not a day >= 0", name.substr(at + 1)));
    o.kind = OutcomeKind::At;
    o.readout = std::string(r.name);
    o.day = *day;
    o.units = std::string(r.units);
    o.long_name = fmt::format("{} at day {:g}", r.name, o.day);
    return o;
  }
  if (name.starts_with("days_to_")) {
    const std::string_view rest = name.substr(8);
    const auto pct = rest.find("pct_");
    const auto p = pct == std::string_view::npos ? std::nullopt : parse_number(rest.substr(0, pct));
    if (!p || *p <= 0.0 || *p > 100.0)
      bad_outcome(name, "days_to_ needs a percentage in (0, 100] then 'pct_', e.g. days_to_90pct_gain");
    const ReadoutInfo& r = readout_or_fail(name, rest.substr(pct + 4));
    o.kind = OutcomeKind::DaysTo;
    o.readout = std::string(r.name);
    o.fraction = *p / 100.0;
    o.units = "day";
    o.long_name = fmt::format("days from the first session until {} first reaches {:g} % of its final value",
                              r.name, *p);
    return o;
  }
  struct Prefix {
    std::string_view text;
    OutcomeKind kind;
    std::string_view what;
  };
  constexpr std::array<Prefix, 4> prefixes = {{{"final_", OutcomeKind::Final, "final"},
                                               {"max_", OutcomeKind::Max, "maximum"},
                                               {"peak_", OutcomeKind::Max, "maximum"},
                                               {"min_", OutcomeKind::Min, "minimum"}}};
  std::string_view readout = name;
  std::string_view what = "final";
  for (const Prefix& p : prefixes)
    if (name.starts_with(p.text) && find_readout(name.substr(p.text.size()))) {
      readout = name.substr(p.text.size());
      o.kind = p.kind;
      what = p.what;
    }
  const ReadoutInfo& r = readout_or_fail(name, readout);
  o.readout = std::string(r.name);
  o.units = std::string(r.units);
  o.long_name = fmt::format("{} {} over the run", what, r.name);
  if (o.kind == OutcomeKind::Final) o.long_name = fmt::format("{} at the end of the run", r.name);
  return o;
}

std::vector<std::string> default_outcome_names() {
  return {"final_firmness_gain", "max_firmness_gain", "final_collagen_induction",
          "final_elastin_change", "peak_erythema",     "scar_index",
          "days_to_90pct_gain"};
}

std::vector<double> compute_outcomes(const RunResult& result, std::span<const OutcomeSpec> specs,
                                     double first_session_day) {
  std::vector<double> out;
  out.reserve(specs.size());
  const std::span<const double> time = result.time;
  for (const OutcomeSpec& o : specs) {
    const std::vector<double>& v = result.readout(o.readout).values;
    switch (o.kind) {
      case OutcomeKind::Final:
        out.push_back(v.back());
        break;
      case OutcomeKind::Max:
        out.push_back(*std::max_element(v.begin(), v.end()));
        break;
      case OutcomeKind::Min:
        out.push_back(*std::min_element(v.begin(), v.end()));
        break;
      case OutcomeKind::At:
        if (o.day > time.back())
          throw std::invalid_argument(fmt::format("outcome {} asks for day {:g}, but the run ends at day {:g}",
                                                  o.name, o.day, time.back()));
        out.push_back(value_at(time, v, o.day));
        break;
      case OutcomeKind::DaysTo: {
        const double target = o.fraction * v.back();
        double days = kNaN;
        if (target > 0.0) {
          for (std::size_t k = 0; k < v.size(); ++k) {
            if (time[k] < first_session_day || v[k] < target) continue;
            double t = time[k];
            if (k > 0 && time[k - 1] >= first_session_day && v[k - 1] < target)
              t = time[k - 1] + (target - v[k - 1]) / (v[k] - v[k - 1]) * (time[k] - time[k - 1]);
            days = t - first_session_day;
            break;
          }
        }
        out.push_back(days);
        break;
      }
    }
  }
  return out;
}

std::vector<double> resample(std::span<const double> time, std::span<const double> values,
                             std::span<const double> grid) {
  std::vector<double> out;
  out.reserve(grid.size());
  for (double t : grid) out.push_back(value_at(time, values, t));
  return out;
}

std::vector<double> common_grid(double dt, double end) {
  if (!(dt > 0.0) || !(end >= 0.0)) throw std::invalid_argument("common grid needs dt > 0 and end >= 0");
  std::vector<double> t;
  for (long k = 0;; ++k) {
    const double x = static_cast<double>(k) * dt;
    if (x > end * (1.0 + 1e-12)) break;
    t.push_back(std::min(x, end));
  }
  if (t.back() < end) t.push_back(end);
  return t;
}

}  // namespace citsim::sweep
