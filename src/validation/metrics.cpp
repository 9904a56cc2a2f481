// One function per metric of configs/validation/targets.toml, each written from the
// target's own words ("dermis mean" = the dermis layer means of the run).
#include "citsim/validation/metrics.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"

namespace citsim {
namespace {

constexpr double kTimeEps = 1e-9;

using Series = std::vector<double>;

Series plus(const Series& a, const Series& b, double fb = 1.0) {
  Series s(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) s[k] = a[k] + fb * b[k];
  return s;
}

const LayerSeries& dermis(const RunResult& r) { return r.layer("dermis"); }
const Series& dermis_of(const RunResult& r, int species) {
  return dermis(r).species[static_cast<std::size_t>(species)];
}

MetricValue in(double v, const Target& t, std::string note = {}) {
  return {v, v >= t.lo && v <= t.hi, std::move(note)};
}

using Metric = MetricValue (*)(const Target&, ScenarioRunner&);

const RunResult& scenario(ScenarioRunner& r, const Target& t,
                          const std::vector<std::string>& overrides = {}) {
  return r.run(t.scenario, overrides);
}

MetricValue neutrophil_peak(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(peak_time(r, dermis_of(r, N)), t);
}
MetricValue neutrophil_resolved(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  const Series& x = dermis_of(r, N);
  return in(value_at(r, x, 4.0) / *std::max_element(x.begin(), x.end()), t);
}
MetricValue macrophage_peak(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(peak_time(r, plus(dermis_of(r, M1), dermis_of(r, M2))), t);
}
MetricValue m1_before_m2(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(peak_time(r, dermis_of(r, M2)) - peak_time(r, dermis_of(r, M1)), t);
}
MetricValue m2_peak(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(peak_time(r, dermis_of(r, M2)), t);
}
MetricValue myofibroblast_onset(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  const Series& x = dermis_of(r, Mf);
  return in(value_at(r, x, 4.0) / *std::max_element(x.begin(), x.end()), t);
}
MetricValue myofibroblast_peak(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(peak_time(r, dermis_of(r, Mf)), t);
}
MetricValue myofibroblast_cleared(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  const Series& x = dermis_of(r, Mf);
  return in(value_at(r, x, 60.0) / *std::max_element(x.begin(), x.end()), t);
}
MetricValue synthesis_peak(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(peak_time(r, dermis(r).synthesis), t);
}
MetricValue synthesis_resolves(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  const Series& S = dermis(r).synthesis;
  const double rest = r.pre_treatment.back().synthesis[0];
  const double peak = *std::max_element(S.begin(), S.end());
  return in((value_at(r, S, 28.0) - rest) / (peak - rest), t);
}
MetricValue type3_share_early(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(max_between(r, dermis(r).type3_share, 0.0, 14.0), t);
}
MetricValue type1_dominates_again(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(value_at(r, dermis(r).type3_share, 21.0), t);
}
MetricValue erythema_resolves(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  const Series& e = r.readout("erythema").values;
  const double peak = *std::max_element(e.begin(), e.end());
  const double t_peak_h = 24.0 * (peak_time(r, e) - r.sessions.front().session.time);
  MetricValue m = in(value_at(r, e, r.sessions.front().session.time + 3.0) / peak, t,
                     fmt::format("peak at {:.1f} h (must be <= 12 h)", t_peak_h));
  m.pass = m.pass && t_peak_h <= 12.0;
  return m;
}
MetricValue aging_collagen_decline(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  const Series C = plus(plus(dermis_of(r, C3), dermis_of(r, C1)), dermis_of(r, Cx));
  const double years = (r.time.back() - r.time.front()) / 365.0;
  return in(100.0 * (C.back() / C.front() - 1.0) / years, t, fmt::format("over {:g} years", years));
}
/// max over days 0–28 of S/(F + β_Mf·Mf), dermis means, after the single_session protocol.
double specific_synthesis_peak(ScenarioRunner& s, double age) {
  const RunResult& r = s.run("single_session", {fmt::format("patient.age={}", age)});
  const LayerSeries& d = dermis(r);
  const double beta = r.base.beta_Mf;
  double best = 0.0;
  for (std::size_t k = 0; k < r.time.size(); ++k)
    if (r.time[k] >= 0.0 && r.time[k] <= 28.0 + kTimeEps)
      best = std::max(best, d.synthesis[k] / (d.species[F][k] + beta * d.species[Mf][k]));
  return best;
}
MetricValue aged_fibroblast_synthesis(const Target& t, ScenarioRunner& s) {
  return in(100.0 * (specific_synthesis_peak(s, 80.0) / specific_synthesis_peak(s, 25.0) - 1.0), t,
            "single_session protocol at age 80 vs 25");
}
MetricValue smoker_synthesis(const Target& t, ScenarioRunner& s) {
  const RunResult& smoker = scenario(s, t);
  const RunResult& base = s.run("single_session");
  const double a = integral_between(smoker, dermis(smoker).synthesis, 0.0, 28.0);
  const double b = integral_between(base, dermis(base).synthesis, 0.0, 28.0);
  return in(100.0 * (a / b - 1.0), t);
}
MetricValue cutometer_baseline_young(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t, {"patient.age=25"});
  const double R2 = r.readout("R2").values.back(), R5 = r.readout("R5").values.back(),
               R7 = r.readout("R7").values.back();
  const bool ok = R2 >= 0.66 && R2 <= 0.90 && R5 >= 0.60 && R5 <= 0.95 && R7 >= 0.37 && R7 <= 0.60;
  return in(ok ? 1.0 : 0.0, t, fmt::format("R2 {:.3f} in [0.66, 0.90], R5 {:.3f} in [0.60, 0.95], R7 {:.3f} in [0.37, 0.60]", R2, R5, R7));
}
MetricValue cutometer_age_trend(const Target& t, ScenarioRunner& s) {
  const double young = scenario(s, t, {"patient.age=25"}).readout("R7").values.back();
  const double old = scenario(s, t, {"patient.age=65"}).readout("R7").values.back();
  return in(100.0 * (young - old) / young, t, fmt::format("R7 {:.3f} at 25, {:.3f} at 65", young, old));
}
MetricValue fibrotic_persistence(const Target& t, ScenarioRunner& s) {
  const RunResult& keloid = scenario(s, t);
  const RunResult& base = s.run("single_session");
  return in(value_at(keloid, dermis_of(keloid, Mf), 60.0) / value_at(base, dermis_of(base, Mf), 60.0), t);
}
MetricValue course_collagen_induction(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(value_at(r, r.readout("collagen_induction").values, 180.0), t);
}
MetricValue course_firmness_gain(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  return in(value_at(r, r.readout("firmness_gain").values, 180.0), t);
}
/// Percent change of papillary total collagen 56 days after the last session, from before the first.
MetricValue lotfi_papillary_collagen(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  const LayerSeries& pap = r.layer("papillary");
  const LayerSeries* before = nullptr;
  for (std::size_t k = 0; k < r.layer_names.size(); ++k)
    if (r.layer_names[k] == "papillary") before = &r.pre_treatment[k];
  if (before == nullptr || r.sessions.empty()) throw std::invalid_argument("lotfi_papillary_collagen: no papillary layer or no session");
  const double day = r.sessions.back().session.time + 56.0;
  const Series C = plus(plus(pap.species[C3], pap.species[C1]), pap.species[Cx]);
  const double C0 = before->species[C3][0] + before->species[C1][0] + before->species[Cx][0];
  return in(100.0 * (value_at(r, C, day) / C0 - 1.0), t, fmt::format("day {:g}", day));
}
/// Days from the last session to the largest firmness gain between it and the end of the run.
MetricValue firmness_peak_after_course(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  if (r.sessions.empty()) throw std::invalid_argument("firmness_peak_after_course: no session");
  const double last = r.sessions.back().session.time;
  const Series& g = r.readout("firmness_gain").values;
  return in(peak_time(r, g, last, r.time.back()) - last, t, fmt::format("followed to day {:g}", r.time.back()));
}
/// Collagen at day 42 in the channel cores of the first session over that of intact tissue at
/// the same depths, 0.4-1.0 mm (2D).
MetricValue channel_core_refill_target(const Target& t, ScenarioRunner& s) {
  const RunResult& r = scenario(s, t);
  const FieldModel m = build_field_model(s.config(t.scenario));
  if (m.cells.sessions.empty()) throw std::invalid_argument("channel_core_refill: no session");
  return in(channel_core_refill(r, m.cells.sessions.front().cells, 42.0, 0.4, 1.0), t);
}

struct Entry {
  const char* kind;
  Metric f;
};
constexpr Entry kMetrics[] = {
    {"neutrophil_peak", neutrophil_peak},
    {"neutrophil_resolved", neutrophil_resolved},
    {"macrophage_peak", macrophage_peak},
    {"m1_before_m2", m1_before_m2},
    {"m2_peak", m2_peak},
    {"myofibroblast_onset", myofibroblast_onset},
    {"myofibroblast_peak", myofibroblast_peak},
    {"myofibroblast_cleared", myofibroblast_cleared},
    {"synthesis_peak", synthesis_peak},
    {"synthesis_resolves", synthesis_resolves},
    {"type3_share_early", type3_share_early},
    {"type1_dominates_again", type1_dominates_again},
    {"erythema_resolves", erythema_resolves},
    {"aging_collagen_decline", aging_collagen_decline},
    {"aged_fibroblast_synthesis", aged_fibroblast_synthesis},
    {"smoker_synthesis", smoker_synthesis},
    {"cutometer_baseline_young", cutometer_baseline_young},
    {"cutometer_age_trend", cutometer_age_trend},
    {"fibrotic_persistence", fibrotic_persistence},
    {"course_collagen_induction", course_collagen_induction},
    {"course_firmness_gain", course_firmness_gain},
    {"lotfi_papillary_collagen", lotfi_papillary_collagen},
    {"firmness_peak_after_course", firmness_peak_after_course},
    {"channel_core_refill", channel_core_refill_target},
};

}  // namespace

ScenarioRunner::ScenarioRunner(std::string scenario_dir, std::function<void(RunConfig&)> adjust,
                               std::vector<std::string> common, const CancelFlag* cancel)
    : dir_(std::move(scenario_dir)), adjust_(std::move(adjust)), common_(std::move(common)), cancel_(cancel) {}

const RunResult& ScenarioRunner::run(const std::string& scenario,
                                     const std::vector<std::string>& overrides) {
  std::string key = scenario;
  for (const auto& o : overrides) key += "\n" + o;
  // The first caller of a key runs it, outside the lock; later ones wait for its result.
  std::promise<std::shared_ptr<const RunResult>> promise;
  std::shared_future<std::shared_ptr<const RunResult>> result;
  bool mine = false;
  {
    const std::lock_guard lock(mutex_);
    auto [at, inserted] = cache_.try_emplace(key);
    if (inserted) {
      at->second = promise.get_future().share();
      mine = true;
    }
    result = at->second;
  }
  if (mine) {
    try {
      promise.set_value(std::make_shared<const RunResult>(run_simulation(config(scenario, overrides), {}, cancel_)));
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
  }
  return *result.get();
}

std::size_t ScenarioRunner::runs() const {
  const std::lock_guard lock(mutex_);
  return cache_.size();
}

RunConfig ScenarioRunner::config(const std::string& scenario, const std::vector<std::string>& overrides) const {
  std::vector<std::string> all = common_;
  all.insert(all.end(), overrides.begin(), overrides.end());
  RunConfig cfg = load_config(dir_ + "/" + scenario + ".toml", all);
  if (adjust_) adjust_(cfg);
  return cfg;
}

std::vector<TargetOutcome> evaluate_targets(const std::vector<Target>& targets, ScenarioRunner& runner,
                                            int threads, const TargetsProgress& progress) {
  const int total = static_cast<int>(targets.size());
  // The order targets start in: 2D and 3D scenarios first, then the file's order. A scenario
  // that does not load keeps its place; its target reports why.
  std::vector<int> order(targets.size());
  std::vector<char> spatial(targets.size(), 0);
  for (int i = 0; i < total; ++i) {
    order[static_cast<std::size_t>(i)] = i;
    try {
      const ModelLevel level = runner.config(targets[static_cast<std::size_t>(i)].scenario).level;
      spatial[static_cast<std::size_t>(i)] = level == ModelLevel::TwoD || level == ModelLevel::ThreeD;
    } catch (const std::exception&) {
    }
  }
  std::stable_partition(order.begin(), order.end(), [&](int i) { return spatial[static_cast<std::size_t>(i)] != 0; });

  std::vector<TargetOutcome> out(targets.size());
  int done = 0;
  const int team = threads > 0 ? threads : omp_get_max_threads();
  // One run per thread: a run's own loops stay serial inside the team.
#pragma omp parallel for schedule(dynamic, 1) num_threads(team) if (team > 1)
  for (int k = 0; k < total; ++k) {
    const auto i = static_cast<std::size_t>(order[static_cast<std::size_t>(k)]);
    try {
      out[i].metric = evaluate_target(targets[i], runner);
    } catch (...) {
      out[i].error = std::current_exception();
    }
#pragma omp critical(citsim_targets_progress)
    {
      ++done;
      if (progress && omp_get_thread_num() == 0) progress(done, total);
    }
  }
  for (const TargetOutcome& o : out) {
    if (!o.error) continue;
    try {
      std::rethrow_exception(o.error);
    } catch (const Interrupted&) {
      throw;
    } catch (...) {
    }
  }
  if (progress) progress(total, total);
  return out;
}

std::vector<std::string> metric_kinds() {
  std::vector<std::string> out;
  for (const Entry& e : kMetrics) out.emplace_back(e.kind);
  return out;
}

MetricValue evaluate_target(const Target& target, ScenarioRunner& runner) {
  for (const Entry& e : kMetrics)
    if (target.kind == e.kind) return e.f(target, runner);
  std::string known;
  for (const Entry& e : kMetrics) known += (known.empty() ? "" : ", ") + std::string(e.kind);
  throw ConfigError("targets", 0, target.id + ".kind", target.kind,
                    "unknown metric; known kinds: " + known);
}

double peak_time(const RunResult& r, const std::vector<double>& x, double from, double to) {
  double best = -std::numeric_limits<double>::infinity();
  std::size_t k_best = r.time.size();
  for (std::size_t k = 0; k < r.time.size(); ++k)
    if (r.time[k] >= from - kTimeEps && r.time[k] <= to + kTimeEps && x[k] > best) {
      best = x[k];
      k_best = k;
    }
  if (k_best == r.time.size()) return std::nan("");
  if (k_best == 0 || k_best + 1 >= r.time.size()) return r.time[k_best];
  // Vertex of the parabola through the record and its neighbours: the peak time varies smoothly
  // with the parameters instead of snapping to the record grid (calibration needs that).
  const double t0 = r.time[k_best - 1], t1 = r.time[k_best], t2 = r.time[k_best + 1];
  const double x0 = x[k_best - 1], x1 = x[k_best], x2 = x[k_best + 1];
  const double d01 = (x1 - x0) / (t1 - t0), d12 = (x2 - x1) / (t2 - t1);
  const double curvature = (d12 - d01) / (t2 - t0);
  if (!(curvature < 0.0)) return t1;
  const double vertex = 0.5 * (t0 + t1) - d01 / (2.0 * curvature);
  return std::clamp(vertex, t0, t2);
}

double value_at(const RunResult& r, const std::vector<double>& x, double t) {
  // a record stands at each of the scenario's output times; interpolate linearly otherwise
  const auto it = std::lower_bound(r.time.begin(), r.time.end(), t - kTimeEps);
  if (it == r.time.end()) return x.back();
  const auto k = static_cast<std::size_t>(it - r.time.begin());
  if (std::abs(r.time[k] - t) <= kTimeEps || k == 0) return x[k];
  const double w = (t - r.time[k - 1]) / (r.time[k] - r.time[k - 1]);
  return (1.0 - w) * x[k - 1] + w * x[k];
}

double max_between(const RunResult& r, const std::vector<double>& x, double from, double to) {
  double best = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < r.time.size(); ++k)
    if (r.time[k] >= from - kTimeEps && r.time[k] <= to + kTimeEps) best = std::max(best, x[k]);
  return best;
}

double integral_between(const RunResult& r, const std::vector<double>& x, double from, double to) {
  double sum = 0.0;
  for (std::size_t k = 1; k < r.time.size(); ++k) {
    const double a = std::max(from, r.time[k - 1]), b = std::min(to, r.time[k]);
    if (b <= a) continue;
    sum += 0.5 * (value_at(r, x, a) + value_at(r, x, b)) * (b - a);
  }
  return sum;
}

double channel_core_refill(const RunResult& r, const std::vector<InjuryFractions>& fractions, double day,
                           double z0, double z1) {
  const std::size_t nz = r.z.size();
  const std::size_t cells = fractions.size();
  if (r.fields[C1].empty() || nz == 0 || cells % nz != 0 || r.fields[C1].size() != r.profile_time.size() * cells)
    throw std::invalid_argument("channel_core_refill: needs a 2D or 3D run and its session's cells");
  const auto at = std::find_if(r.profile_time.begin(), r.profile_time.end(),
                               [day](double t) { return std::abs(t - day) <= kTimeEps; });
  if (at == r.profile_time.end())
    throw std::invalid_argument(fmt::format("channel_core_refill: no profile at day {:g}", day));
  const std::size_t offset = static_cast<std::size_t>(at - r.profile_time.begin()) * cells;
  double core = 0.0, intact = 0.0;
  std::size_t n_core = 0, n_intact = 0;
  for (std::size_t i = 0; i < cells; ++i) {
    const double z = r.z[i % nz];
    if (z < z0 || z > z1) continue;
    const double C = r.fields[C3][offset + i] + r.fields[C1][offset + i] + r.fields[Cx][offset + i];
    if (fractions[i].channel >= 0.5) {
      core += C;
      ++n_core;
    } else if (fractions[i].channel == 0.0) {
      intact += C;
      ++n_intact;
    }
  }
  if (n_core == 0 || n_intact == 0)
    throw std::invalid_argument(fmt::format("channel_core_refill: {} channel-core and {} intact cells at {:g}-{:g} mm",
                                            n_core, n_intact, z0, z1));
  return (core / static_cast<double>(n_core)) / (intact / static_cast<double>(n_intact));
}

}  // namespace citsim
