#include "citsim/validation/sensitivity.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "citsim/errors.hpp"
#include "citsim/problem_schema.hpp"
#include "citsim/run.hpp"

namespace citsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// One perturbed run to make: parameter index, multiplier, and where its outputs go.
struct Job {
  std::size_t row;
  double factor;  ///< 1 for the base run
  std::vector<double> y;
  std::string failure;
};

std::size_t nearest_record(const std::vector<double>& time, double at_day) {
  if (at_day < 0.0) return time.size() - 1;
  const auto it = std::lower_bound(time.begin(), time.end(), at_day);
  if (it == time.end()) return time.size() - 1;
  const auto i = static_cast<std::size_t>(it - time.begin());
  return (i > 0 && at_day - time[i - 1] < time[i] - at_day) ? i - 1 : i;
}

std::vector<double> outputs_of(const RunResult& r, const SensitivityOptions& o) {
  const std::size_t k = nearest_record(r.time, o.at_day);
  std::vector<double> y;
  for (const std::string& name : o.outputs) y.push_back(r.readout(name).values[k]);
  return y;
}

}  // namespace

double normalised_difference(double y_minus, double y_plus, double log_p_minus, double log_p_plus,
                             double y0) {
  if (y0 == 0.0) return kNaN;  // a relative change of zero is undefined
  return (y_plus - y_minus) / ((log_p_plus - log_p_minus) * y0);
}

SensitivityResult local_sensitivities(const RunConfig& config, const SensitivityOptions& options,
                                      const SensitivityProgress& progress) {
  if (!(options.log_step > 0.0 && options.log_step <= 1.0))
    throw ConfigError("--step", 0, "log_step", fmt::format("{}", options.log_step),
                      "must be in (0, 1]");

  // 1. The parameters: named ones must exist; by default every one with a non-zero value.
  std::vector<const ParameterSpec*> specs;
  if (options.parameters.empty()) {
    for (const ParameterSpec& s : parameter_table())
      if (config.parameters.*s.field != 0.0) specs.push_back(&s);
  } else {
    for (const std::string& name : options.parameters) {
      const ParameterSpec* s = find_parameter(name);
      if (!s)
        throw ConfigError("--param", 0, name, "",
                          "unknown parameter; did you mean '" + nearest_parameter_name(name) + "'?");
      if (config.parameters.*s->field == 0.0)
        throw ConfigError("--param", 0, name, "0", "a parameter at 0 has no relative sensitivity");
      specs.push_back(s);
    }
  }

  // 2. The base run fixes the outputs (and checks their names) before any other work.
  const RunResult base = run_simulation(config, {}, options.cancel);
  for (const std::string& name : options.outputs) {
    try {
      (void)base.readout(name);
    } catch (const std::exception&) {
      std::string known;
      for (const Series& s : base.readouts) known += (known.empty() ? "" : ", ") + s.name;
      throw ConfigError("--readout", 0, name, "", "unknown readout; one of: " + known);
    }
  }
  if (options.at_day > base.time.back())
    throw ConfigError("--at", 0, "", fmt::format("{}", options.at_day),
                      fmt::format("is after the run's end (day {:g})", base.time.back()));
  SensitivityResult result;
  result.outputs = options.outputs;
  result.base = outputs_of(base, options);
  result.at_day = base.time[nearest_record(base.time, options.at_day)];
  result.log_step = options.log_step;

  // 3. Two runs per parameter, one-sided at the edge of the allowed range.
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const double p = config.parameters.*specs[i]->field;
    const double up = p * std::exp(options.log_step), down = p * std::exp(-options.log_step);
    const auto inside = [&](double v) { return in_range(*specs[i], v); };
    const bool lo_ok = p > 0.0 ? inside(down) : inside(up), hi_ok = p > 0.0 ? inside(up) : inside(down);
    jobs.push_back({i, lo_ok ? std::exp(-options.log_step) : 1.0, {}, {}});
    jobs.push_back({i, hi_ok ? std::exp(options.log_step) : 1.0, {}, {}});
  }

  // 4. Run them, one run per thread (a run's own loops then stay serial).
  int done = 0;
  const int total = static_cast<int>(jobs.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (int j = 0; j < total; ++j) {
    Job& job = jobs[static_cast<std::size_t>(j)];
    if (job.factor == 1.0) {
      job.y = result.base;
    } else {
      RunConfig c = config;
      try {  // nothing may leave the parallel loop: a refused value is this run's failure
        set(c, parameter_key(*specs[job.row]), c.parameters.*specs[job.row]->field * job.factor);
        job.y = outputs_of(run_simulation(c, {}, options.cancel), options);
      } catch (const std::exception& e) {
        job.failure = e.what();
      }
    }
#pragma omp critical(citsim_sensitivity_progress)
    {
      ++done;
      if (progress && omp_get_thread_num() == 0) progress(done, total);
    }
  }
  // An interrupted run was recorded as a failure inside the parallel loop; it is none.
  throw_if_cancelled(options.cancel, "sensitivity interrupted between runs");
  if (progress) progress(total, total);

  // 5. Differences, then rank by the largest |S| over the outputs.
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const Job &lo = jobs[2 * i], &hi = jobs[2 * i + 1];
    ParameterSensitivity row{std::string(specs[i]->name), std::string(specs[i]->unit),
                             config.parameters.*specs[i]->field, {}, {}};
    row.failure = !lo.failure.empty() ? lo.failure : hi.failure;
    for (std::size_t k = 0; k < options.outputs.size(); ++k)
      row.s.push_back(row.failure.empty() && lo.factor != hi.factor
                          ? normalised_difference(lo.y[k], hi.y[k], std::log(lo.factor),
                                                  std::log(hi.factor), result.base[k])
                          : kNaN);
    if (row.failure.empty() && lo.factor == hi.factor) row.failure = "no perturbation fits the allowed range";
    result.rows.push_back(std::move(row));
  }
  const auto magnitude = [](const ParameterSensitivity& r) {
    double m = -1.0;
    for (double s : r.s)
      if (std::isfinite(s)) m = std::max(m, std::abs(s));
    return m;
  };
  std::stable_sort(result.rows.begin(), result.rows.end(),
                   [&](const auto& a, const auto& b) { return magnitude(a) > magnitude(b); });
  result.runs = 1 + static_cast<int>(std::count_if(jobs.begin(), jobs.end(), [](const Job& j) { return j.factor != 1.0; }));
  return result;
}

}  // namespace citsim
