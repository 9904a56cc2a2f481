#include "citsim/calibration/calibrate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlopt.hpp>
#include <optional>
#include <random>
#include <string_view>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/model/tissue.hpp"
#include "citsim/problem_schema.hpp"

namespace citsim {
namespace {

/// Loss of a parameter set that cannot be run (a problem validate() refuses, numerical failure).
constexpr double kInfeasible = 1e3;

double Parameters::*field_of(const std::string& name) {
  const ParameterSpec* spec = find_parameter(name);
  if (!spec) throw ConfigError("--free", 0, name, "", "unknown parameter; did you mean '" + nearest_parameter_name(name) + "'?");
  return spec->field;
}

}  // namespace

double to_unit(double v, const FreeParameter& f) {
  return f.log_scale ? std::log(v / f.lo) / std::log(f.hi / f.lo) : (v - f.lo) / (f.hi - f.lo);
}

double from_unit(double x, const FreeParameter& f) {
  x = std::clamp(x, 0.0, 1.0);
  return f.log_scale ? f.lo * std::pow(f.hi / f.lo, x) : f.lo + x * (f.hi - f.lo);
}

std::vector<FreeParameter> default_free_parameters() {
  // docs/model.md §3 marks these "calibrated" and gives the range; the table's min/max hold it.
  std::vector<FreeParameter> out;
  for (const char* name : {"k_D", "mu_M", "k_12", "a_eff", "a_N", "a_M1", "a_TM", "beta_T", "c_plt",
                           "K_TF", "sigma_T", "K_TC", "beta_Mf", "f3_Mf", "d_P"}) {
    const ParameterSpec* s = find_parameter(name);
    out.push_back({name, s->min, s->max, s->min > 0.0 && s->max / s->min >= 10.0});
  }
  return out;
}

FreeParameter parse_free_parameter(const std::string& text) {
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  const ParameterSpec* s = find_parameter(name);
  if (!s)
    throw ConfigError("--free", 0, name, "", "unknown parameter; did you mean '" + nearest_parameter_name(name) + "'?");
  FreeParameter f{name, s->min, s->max, false};
  if (colon != std::string::npos) {
    // Each bound read whole: "5x" is no number, and NaN or infinity no bound.
    const auto number = [](std::string_view t) -> std::optional<double> {
      double x = 0.0;
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), x);
      if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
      return x;
    };
    const std::string_view rest = std::string_view(text).substr(colon + 1);
    const auto second = rest.find(':');
    const auto lo = second == std::string_view::npos ? std::nullopt : number(rest.substr(0, second));
    const auto hi = second == std::string_view::npos ? std::nullopt : number(rest.substr(second + 1));
    if (!lo || !hi || !in_range(*s, *lo) || !in_range(*s, *hi) || !(*lo < *hi))
      throw ConfigError("--free", 0, name, text,
                        fmt::format("must be NAME or NAME:LO:HI with numbers {} <= LO < HI <= {}", s->min, s->max));
    f.lo = *lo;
    f.hi = *hi;
  }
  if (!std::isfinite(f.hi)) f.hi = s->default_value * 10.0;
  f.log_scale = f.lo > 0.0 && f.hi / f.lo >= 10.0;
  return f;
}

double target_loss(double value, const Target& t, double margin) {
  if (!std::isfinite(value)) return kInfeasible;
  if (t.hi == t.lo) return value == t.lo ? 0.0 : 1.0;  // pass/fail metrics
  double v = value, lo = t.lo, hi = t.hi;
  if (lo > 0.0 && hi / lo >= 10.0) {
    if (value <= 0.0) return kInfeasible;
    v = std::log(value);
    lo = std::log(lo);
    hi = std::log(hi);
  }
  const double centre = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
  const double excess = std::max(0.0, std::abs(v - centre) / half - (1.0 - margin));
  return excess * excess;
}

double calibration_loss(const std::vector<Target>& targets, const std::string& scenario_dir,
                        const Parameters& params, const CalibrationOptions& o, std::vector<MetricValue>* metrics) {
  // A candidate the model refuses whatever the patient (an unstable resting loop, q3 + Delta_f3
  // > 1, layers out of order: validate()) runs nothing; its loss grows with the loop gain, so
  // that the optimiser is led back towards stable tissue.
  RunConfig candidate;
  candidate.parameters = params;
  if (!validate(candidate).empty())
    return kInfeasible * (1.0 + std::max(0.0, loop_gain(params, max_vascular_density(params))));
  // Only the free parameters: whatever a scenario or an override sets otherwise stays.
  std::vector<std::string> keys;
  for (const FreeParameter& f : o.free) {
    (void)field_of(f.name);  // refuses an unknown name
    keys.push_back(parameter_key(*find_parameter(f.name)));
  }
  ScenarioRunner runner(
      scenario_dir,
      [&](RunConfig& c) {
        for (const std::string& key : keys) set(c, key, *get(candidate, key));
      },
      o.overrides, o.cancel);
  const std::vector<TargetOutcome> outcomes = evaluate_targets(targets, runner, o.threads);
  double loss = 0.0;  // summed in target order, whatever the threads
  if (metrics) metrics->clear();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    MetricValue m = outcomes[i].metric;
    if (outcomes[i].error) {  // a failed run costs like a missed target; bad input stops the fit
      m = {std::nan(""), false, "run failed"};
      try {
        std::rethrow_exception(outcomes[i].error);
      } catch (const NumericalError& e) {
        m.note = e.what();
      } catch (const InvalidProblem& e) {  // refused with a scenario's patient (its resting collagen)
        m.note = e.what();
      }
    }
    loss += target_loss(m.value, targets[i], o.margin);
    if (metrics) metrics->push_back(m);
  }
  return loss;
}

CalibrationResult calibrate(const std::vector<Target>& targets, const std::string& scenario_dir,
                            const Parameters& start, const CalibrationOptions& o,
                            const CalibrationProgress& progress) {
  const std::size_t n = o.free.size();
  if (n == 0) throw ConfigError("--free", 0, "", "", "needs at least one free parameter");
  std::vector<double Parameters::*> fields;
  for (const FreeParameter& f : o.free) fields.push_back(field_of(f.name));

  CalibrationResult result;
  result.start = start;
  auto params_at = [&](const std::vector<double>& x) {
    Parameters p = start;
    for (std::size_t i = 0; i < n; ++i) p.*fields[i] = from_unit(x[i], o.free[i]);
    return p;
  };

  int evaluations = 0;
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> best_x(n);
  struct Context {
    std::function<double(const std::vector<double>&)> f;
  } ctx{[&](const std::vector<double>& x) {
    const double loss = calibration_loss(targets, scenario_dir, params_at(x), o);
    ++evaluations;
    if (loss < best) {
      best = loss;
      best_x = x;
    }
    if (progress) progress(evaluations, loss, best);
    return loss;
  }};

  std::vector<double> x0(n);
  for (std::size_t i = 0; i < n; ++i) x0[i] = std::clamp(to_unit(start.*fields[i], o.free[i]), 0.0, 1.0);
  result.start_loss = ctx.f(x0);

  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int s = 0; s < std::max(1, o.starts); ++s) {
    std::vector<double> x = x0;
    if (s > 0)
      for (double& xi : x) xi = uniform(rng);
    if (best == 0.0) break;  // every target well inside: nothing to improve
    nlopt::opt opt(nlopt::LN_BOBYQA, static_cast<unsigned>(n));
    opt.set_lower_bounds(std::vector<double>(n, 0.0));
    opt.set_upper_bounds(std::vector<double>(n, 1.0));
    opt.set_min_objective(
        [](const std::vector<double>& x, std::vector<double>&, void* data) {
          return static_cast<Context*>(data)->f(x);
        },
        &ctx);
    opt.set_maxeval(o.max_evaluations);
    opt.set_xtol_rel(o.xtol_rel);
    opt.set_stopval(0.0);
    opt.set_initial_step(std::vector<double>(n, 0.1));
    double value = 0.0;
    try {
      opt.optimize(x, value);
    } catch (const nlopt::roundoff_limited&) {
      // the best point so far is kept by the objective itself
    } catch (const std::runtime_error& e) {
      throw NumericalError(fmt::format("calibration: NLopt failed: {}", e.what()));
    }
  }
  result.fitted = params_at(best_x);
  result.loss = calibration_loss(targets, scenario_dir, result.fitted, o, &result.metrics);
  result.evaluations = evaluations;
  return result;
}

std::vector<FittedValue> fitted_parameter_table(const RunConfig& first, const std::vector<Target>& targets,
                                                const std::string& targets_label, const CalibrationOptions& o,
                                                const CalibrationResult& r) {
  std::string ids;
  for (const Target& t : targets) ids += (ids.empty() ? "" : ", ") + t.id;
  // A fit of a few parameters keeps the others' values and provenance.
  std::vector<FittedValue> values = parse_parameter_file(
      first.parameter_table, first.parameter_file.empty() ? kEmbeddedParameterFileName : first.parameter_file);
  for (const FreeParameter& f : o.free) {
    const ParameterSpec* s = find_parameter(f.name);
    FittedValue fitted{f.name, r.fitted.*s->field, std::string(s->unit),
                       fmt::format("fitted in [{:g}, {:g}] to {}: {}", f.lo, f.hi, targets_label, ids)};
    const auto it = std::find_if(values.begin(), values.end(), [&](const FittedValue& v) { return v.name == f.name; });
    if (it != values.end()) *it = std::move(fitted);
    else values.push_back(std::move(fitted));
  }
  return values;
}

RunConfig starting_config(const std::vector<Target>& targets, const std::string& scenario_dir,
                          const std::vector<std::string>& overrides) {
  if (targets.empty()) throw ConfigError("targets", 0, "target", "", "needs at least one [[target]]");
  return load_config(scenario_dir + "/" + targets.front().scenario + ".toml", overrides);
}

}  // namespace citsim
