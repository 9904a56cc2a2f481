#include "citsim/ensemble/bands.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "citsim/errors.hpp"
#include "citsim/run.hpp"

namespace citsim {

double weighted_quantile(std::span<const double> values, std::span<const double> weights, double q) {
  const std::size_t n = values.size();
  if (n == 0) throw std::invalid_argument("weighted_quantile: no values");
  if (weights.size() != n) throw std::invalid_argument("weighted_quantile: as many weights as values needed");
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument(fmt::format("weighted_quantile: q = {} outside [0, 1]", q));
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  if (n == 1) return values[order[0]];
  // Positions c_{i-1} / c_{n-1}: the cumulative weight before each sorted value, over all but the last.
  std::vector<double> position(n);
  double before = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    position[i] = before;
    before += weights[order[i]];
  }
  const double span = position[n - 1];
  for (double& p : position) p /= span;
  const auto above = std::upper_bound(position.begin(), position.end(), q);
  if (above == position.end()) return values[order[n - 1]];
  const auto i = static_cast<std::size_t>(above - position.begin());  // position[i-1] <= q < position[i]
  const double lo = values[order[i - 1]], hi = values[order[i]];
  const double theta = (q - position[i - 1]) / (position[i] - position[i - 1]);
  return lo + theta * (hi - lo);
}

EnsembleBands ensemble_bands(const RunConfig& config, const ParameterEnsemble& e, std::span<const double> quantiles,
                             int threads, const CancelFlag* cancel, const BandsProgress& progress) {
  check_ensemble(e);
  for (double q : quantiles)
    if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument(fmt::format("band quantile {} outside [0, 1]", q));
  EnsembleBands out;
  out.quantiles.assign(quantiles.begin(), quantiles.end());
  out.method = e.method;
  out.source = e.source;
  for (const std::string& name : e.parameters)
    if (std::find(config.overridden.begin(), config.overridden.end(), name) != config.overridden.end())
      out.held.push_back(name);

  // 1. Every member's run, one per thread (a run's own loops then stay serial).
  const int members = static_cast<int>(e.members.size());
  std::vector<RunResult> runs(e.members.size());
  out.failures.assign(e.members.size(), "");
  int done = 0;
  const int team = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(team) if (team > 1)
  for (int k = 0; k < members; ++k) {
    const auto m = static_cast<std::size_t>(k);
    RunConfig c = config;
    c.parameters = member_parameters(config.parameters, e, m, out.held);
    c.numerics.threads = 1;
    try {
      runs[m] = run_simulation(c, {}, cancel);
    } catch (const Interrupted&) {
      out.failures[m] = "interrupted";
    } catch (const std::exception& err) {
      out.failures[m] = err.what();
      if (out.failures[m].empty()) out.failures[m] = "failed";
    }
#pragma omp critical(citsim_bands_progress)
    {
      ++done;
      if (progress && omp_get_thread_num() == 0) progress(done, members);
    }
  }
  throw_if_cancelled(cancel, "bands interrupted between members");

  // 2. The weights of the members that ran.
  std::vector<std::size_t> ran;
  for (std::size_t m = 0; m < runs.size(); ++m)
    if (out.failures[m].empty()) ran.push_back(m);
  if (ran.empty())
    throw NumericalError(fmt::format("every member of the ensemble failed; member 1: {}", out.failures[0]));
  out.weights.assign(runs.size(), 0.0);
  double total = 0.0;
  for (std::size_t m : ran) total += e.weights[m];
  for (std::size_t m : ran) out.weights[m] = e.weights[m] / total;

  // 3. Quantiles of every readout at every record time (the same times in every member: the
  //    record times follow from the protocol and the output settings alone).
  const RunResult& first = runs[ran.front()];
  out.time = first.time;
  const std::size_t nt = out.time.size(), nq = out.quantiles.size();
  std::vector<double> at(ran.size()), w(ran.size());
  for (std::size_t j = 0; j < ran.size(); ++j) w[j] = out.weights[ran[j]];
  for (std::size_t r = 0; r < first.readouts.size(); ++r) {
    const Series& s = first.readouts[r];
    ReadoutBand band{s.name, s.units, s.long_name, std::vector<double>(nq * nt), {}};
    for (std::size_t t = 0; t < nt; ++t) {
      for (std::size_t j = 0; j < ran.size(); ++j) at[j] = runs[ran[j]].readouts[r].values[t];
      for (std::size_t q = 0; q < nq; ++q) band.values[q * nt + t] = weighted_quantile(at, w, out.quantiles[q]);
    }
    band.end_values.assign(runs.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t m : ran) band.end_values[m] = runs[m].readouts[r].values.back();
    out.readouts.push_back(std::move(band));
  }
  return out;
}

}  // namespace citsim
