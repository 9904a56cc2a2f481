#include "citsim/calibration/abc_smc.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <random>
#include <stdexcept>

#include "citsim/errors.hpp"
#include "citsim/problem_schema.hpp"

namespace citsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Draws in the unit cube of the free parameters that leave it are drawn again, at most this often.
constexpr int kMaxRedraws = 10000;
/// Draws per member that estimate the share of its perturbation kernel inside the cube.
constexpr int kKernelMassDraws = 256;

using Point = Eigen::VectorXd;

struct Population {
  std::vector<Point> x;  ///< unit coordinates
  std::vector<double> weight, distance;
};

/// The weighted covariance of the population, doubled (Beaumont et al. 2009), with a floor that
/// keeps it positive definite when the population has collapsed in a direction.
Eigen::MatrixXd kernel_covariance(const Population& pop) {
  const auto n = pop.x.front().size();
  double total = 0.0;
  Point mean = Point::Zero(n);
  for (std::size_t i = 0; i < pop.x.size(); ++i) {
    mean += pop.weight[i] * pop.x[i];
    total += pop.weight[i];
  }
  mean /= total;
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(n, n);
  for (std::size_t i = 0; i < pop.x.size(); ++i) {
    const Point d = pop.x[i] - mean;
    cov += pop.weight[i] * d * d.transpose();
  }
  cov *= 2.0 / total;
  cov.diagonal().array() += 1e-8;
  return cov;
}

double effective_size(const std::vector<double>& w) {
  double s = 0.0, s2 = 0.0;
  for (double x : w) {
    s += x;
    s2 += x * x;
  }
  return s2 > 0.0 ? s * s / s2 : 0.0;
}

/// The tolerance quantile of the distances (the lower value at a tie: an order statistic).
double distance_quantile(std::vector<double> d, double q) {
  std::sort(d.begin(), d.end());
  const auto k = static_cast<std::size_t>(std::floor(q * static_cast<double>(d.size() - 1)));
  return d[k];
}

}  // namespace

double target_distance(const std::vector<MetricValue>& metrics, const std::vector<Target>& targets) {
  if (metrics.size() != targets.size()) throw std::invalid_argument("target_distance: one metric per target needed");
  double worst = 0.0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    double v = metrics[i].value, lo = targets[i].lo, hi = targets[i].hi;
    if (!std::isfinite(v)) return kInf;
    if (lo > 0.0 && hi / lo >= 10.0) {  // as the calibration's loss: decades in log space
      if (v <= 0.0) return kInf;
      v = std::log(v);
      lo = std::log(lo);
      hi = std::log(hi);
    }
    const double centre = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
    worst = std::max(worst, half > 0.0 ? std::max(0.0, std::abs(v - centre) / half - 1.0) : (v == centre ? 0.0 : kInf));
  }
  return worst;
}

AbcSmcResult abc_smc(const std::vector<Target>& targets, const std::string& scenario_dir, const Parameters& base,
                     const AbcSmcOptions& o, const AbcSmcProgress& progress) {
  const std::size_t n = o.free.size();
  if (n == 0) throw ConfigError("--free", 0, "", "", "needs at least one free parameter");
  if (targets.empty()) throw ConfigError("targets", 0, "target", "", "needs at least one [[target]]");
  if (o.population < 2) throw std::invalid_argument("abc_smc: a population of at least 2");
  if (o.batch < 1) throw std::invalid_argument("abc_smc: a batch of at least 1");
  if (!(o.quantile > 0.0 && o.quantile < 1.0)) throw std::invalid_argument("abc_smc: quantile in (0, 1)");
  std::vector<double Parameters::*> fields;
  for (const FreeParameter& f : o.free) fields.push_back(find_parameter(f.name)->field);

  auto parameters_at = [&](const Point& x) {
    Parameters p = base;
    for (std::size_t j = 0; j < n; ++j) p.*fields[j] = from_unit(x[static_cast<Eigen::Index>(j)], o.free[j]);
    return p;
  };
  // One parameter set's distance; its scenario runs serial (the sets run side by side).
  auto distance_of = [&](const Point& x) {
    // A set the model refuses whatever the patient (unstable rest, q3 + Delta_f3 > 1, ...) is
    // never a member and runs nothing.
    RunConfig candidate;
    candidate.parameters = parameters_at(x);
    if (!validate(candidate).empty()) return kInf;
    const Parameters& p = candidate.parameters;
    ScenarioRunner runner(
        scenario_dir,
        [&](RunConfig& c) {
          for (auto field : fields) c.parameters.*field = p.*field;
        },
        o.overrides, o.cancel);
    std::vector<MetricValue> metrics;
    for (const TargetOutcome& t : evaluate_targets(targets, runner, 1)) {
      if (t.error) {
        try {
          std::rethrow_exception(t.error);
        } catch (const NumericalError&) {
          return kInf;  // a set the model cannot run is as far as can be
        } catch (const InvalidProblem&) {
          return kInf;  // nor one refused with a scenario's patient
        }
      }
      metrics.push_back(t.metric);
    }
    return target_distance(metrics, targets);
  };
  // A batch's distances, side by side; the first error other than a failed run stops the fit.
  const int team = o.threads > 0 ? o.threads : omp_get_max_threads();
  auto distances_of = [&](const std::vector<Point>& batch) {
    std::vector<double> d(batch.size(), kInf);
    std::vector<std::exception_ptr> error(batch.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(team) if (team > 1)
    for (int i = 0; i < static_cast<int>(batch.size()); ++i) {
      try {
        d[static_cast<std::size_t>(i)] = distance_of(batch[static_cast<std::size_t>(i)]);
      } catch (...) {
        error[static_cast<std::size_t>(i)] = std::current_exception();
      }
    }
    for (const std::exception_ptr& e : error) {
      if (!e) continue;
      try {
        std::rethrow_exception(e);
      } catch (const Interrupted&) {
        throw;
      } catch (...) {
      }
    }
    for (const std::exception_ptr& e : error)
      if (e) std::rethrow_exception(e);
    return d;
  };

  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  auto inside = [](const Point& x) { return (x.array() >= 0.0).all() && (x.array() <= 1.0).all(); };

  AbcSmcResult result;
  Population pop;
  const auto N = static_cast<std::size_t>(o.population);
  for (int wave = 0; wave < o.max_waves; ++wave) {
    const double tolerance = wave == 0 ? kInf : distance_quantile(pop.distance, o.quantile);
    // Proposals: the prior in wave 0, then a member picked by weight and perturbed.
    Eigen::MatrixXd L;
    std::vector<double> kernel_mass;
    std::discrete_distribution<std::size_t> pick;
    if (wave > 0) {
      const Eigen::MatrixXd cov = kernel_covariance(pop);
      L = Eigen::LLT<Eigen::MatrixXd>(cov).matrixL();
      pick = std::discrete_distribution<std::size_t>(pop.weight.begin(), pop.weight.end());
    }
    auto propose = [&]() -> Point {
      Point x(static_cast<Eigen::Index>(n));
      if (wave == 0) {
        for (Eigen::Index j = 0; j < x.size(); ++j) x[j] = uniform(rng);
        return x;
      }
      for (int tries = 0; tries < kMaxRedraws; ++tries) {
        const Point& from = pop.x[pick(rng)];
        Point z(static_cast<Eigen::Index>(n));
        for (Eigen::Index j = 0; j < z.size(); ++j) z[j] = normal(rng);
        x = from + L * z;
        if (inside(x)) return x;
      }
      throw NumericalError("abc_smc: the perturbation kernel keeps leaving the parameter ranges");
    };

    Population next;
    int evaluated = 0;
    while (next.x.size() < N) {
      if (result.evaluations >= o.max_evaluations) break;
      const int size = std::min(o.batch, o.max_evaluations - result.evaluations);
      std::vector<Point> batch;
      for (int b = 0; b < size; ++b) batch.push_back(propose());
      const std::vector<double> d = distances_of(batch);
      result.evaluations += size;
      evaluated += size;
      for (std::size_t b = 0; b < batch.size() && next.x.size() < N; ++b)
        if (std::isfinite(d[b]) && d[b] <= tolerance) {
          next.x.push_back(batch[b]);
          next.distance.push_back(d[b]);
        }
      if (progress) progress(wave, result.evaluations, static_cast<int>(next.x.size()));
    }
    if (next.x.size() < N) break;  // out of evaluations: the last complete wave stands

    // Weights: the prior (uniform in the cube) over the mixture of the previous wave's kernels,
    // each truncated to the cube (its mass inside estimated by sampling).
    if (wave == 0) {
      next.weight.assign(N, 1.0);
    } else {
      kernel_mass.assign(pop.x.size(), 0.0);
      std::mt19937_64 mass_rng(o.seed ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(wave + 1)));
      std::normal_distribution<double> mass_normal(0.0, 1.0);
      for (std::size_t j = 0; j < pop.x.size(); ++j) {
        int in = 0;
        for (int s = 0; s < kKernelMassDraws; ++s) {
          Point z(static_cast<Eigen::Index>(n));
          for (Eigen::Index k = 0; k < z.size(); ++k) z[k] = mass_normal(mass_rng);
          in += inside(pop.x[j] + L * z) ? 1 : 0;
        }
        kernel_mass[j] = std::max(1, in) / static_cast<double>(kKernelMassDraws);
      }
      const Eigen::MatrixXd Linv = L.triangularView<Eigen::Lower>().solve(Eigen::MatrixXd::Identity(L.rows(), L.cols()));
      double total = 0.0;
      for (double w : pop.weight) total += w;
      next.weight.resize(N);
      for (std::size_t i = 0; i < N; ++i) {
        double mixture = 0.0;
        for (std::size_t j = 0; j < pop.x.size(); ++j) {
          const double r2 = (Linv * (next.x[i] - pop.x[j])).squaredNorm();
          mixture += pop.weight[j] / total * std::exp(-0.5 * r2) / kernel_mass[j];
        }
        next.weight[i] = 1.0 / mixture;  // the kernels' common normalisation cancels
      }
    }
    pop = std::move(next);
    result.waves.push_back({tolerance, evaluated, static_cast<int>(N), effective_size(pop.weight)});
    result.tolerance = tolerance;
    if (*std::max_element(pop.distance.begin(), pop.distance.end()) == 0.0) {
      result.tolerance = 0.0;  // every member meets every target
      break;
    }
  }
  if (pop.x.empty())
    throw NumericalError(fmt::format("abc_smc: {} evaluations gave no complete population of {}", result.evaluations, N));

  ParameterEnsemble& e = result.ensemble;
  e.method = "abc-smc";
  for (const FreeParameter& f : o.free) e.parameters.push_back(f.name);
  double total = 0.0;
  for (double w : pop.weight) total += w;
  for (std::size_t i = 0; i < pop.x.size(); ++i) {
    std::vector<double> row;
    for (std::size_t j = 0; j < n; ++j) row.push_back(from_unit(pop.x[i][static_cast<Eigen::Index>(j)], o.free[j]));
    e.members.push_back(std::move(row));
    e.weights.push_back(pop.weight[i] / total);
  }
  result.distances = pop.distance;
  return result;
}

}  // namespace citsim
