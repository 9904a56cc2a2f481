#include "citsim/sweep/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "citsim/sweep/random.hpp"
#include "citsim/sweep/sobol_sequence.hpp"

namespace citsim::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZ95 = 1.959963984540054;  // two-sided 95 % normal quantile

}  // namespace

MorrisDesign morris_design(int factors, int trajectories, int levels, std::uint64_t seed) {
  if (factors < 1) throw std::invalid_argument("Morris screening needs at least one factor");
  if (trajectories < 2)
    throw std::invalid_argument("Morris screening needs at least 2 trajectories (sigma needs two)");
  if (levels < 2 || levels % 2 != 0)
    throw std::invalid_argument("Morris levels must be an even number >= 2, not " +
                                std::to_string(levels));
  MorrisDesign d;
  d.factors = factors;
  d.levels = levels;
  d.trajectories = trajectories;
  // Delta = p / (2(p-1)): every level below 1 - Delta has a partner Delta above it.
  d.delta = static_cast<double>(levels) / (2.0 * (levels - 1));
  const std::uint64_t base_levels = static_cast<std::uint64_t>(levels / 2);
  RandomStream rng(seed);
  std::vector<int> order(static_cast<std::size_t>(factors));
  for (int t = 0; t < trajectories; ++t) {
    std::vector<double> x(static_cast<std::size_t>(factors));
    std::vector<int> dir(static_cast<std::size_t>(factors));
    for (int i = 0; i < factors; ++i) {
      const double base = static_cast<double>(rng.below(base_levels)) / (levels - 1);
      dir[static_cast<std::size_t>(i)] = rng.below(2) == 0 ? 1 : -1;
      // a factor that moves down starts Delta above its base level
      x[static_cast<std::size_t>(i)] = dir[static_cast<std::size_t>(i)] > 0 ? base : base + d.delta;
    }
    std::iota(order.begin(), order.end(), 0);
    rng.shuffle(std::span<int>(order));
    d.points.push_back(x);
    d.moved.push_back(-1);
    d.direction.push_back(0);
    for (int i : order) {
      const auto k = static_cast<std::size_t>(i);
      x[k] += dir[k] * d.delta;
      x[k] = std::clamp(x[k], 0.0, 1.0);  // round-off only: levels are in [0, 1] by construction
      d.points.push_back(x);
      d.moved.push_back(i);
      d.direction.push_back(dir[k]);
    }
  }
  return d;
}

MorrisIndices morris_indices(const MorrisDesign& design, std::span<const double> y) {
  const std::size_t rows = design.points.size();
  if (y.size() != rows)
    throw std::invalid_argument("Morris: " + std::to_string(y.size()) + " outputs for " +
                                std::to_string(rows) + " design points");
  const auto d = static_cast<std::size_t>(design.factors);
  std::vector<std::vector<double>> effects(d);
  MorrisIndices out;
  for (int t = 0; t < design.trajectories; ++t) {
    const std::size_t first = static_cast<std::size_t>(t) * (d + 1);
    bool finite = true;
    for (std::size_t k = 0; k <= d; ++k) finite = finite && std::isfinite(y[first + k]);
    if (!finite) continue;
    ++out.trajectories_used;
    for (std::size_t k = 1; k <= d; ++k) {
      const std::size_t row = first + k;
      const auto i = static_cast<std::size_t>(design.moved[row]);
      effects[i].push_back((y[row] - y[row - 1]) / (design.direction[row] * design.delta));
    }
  }
  for (std::size_t i = 0; i < d; ++i) {
    const auto& e = effects[i];
    const double n = static_cast<double>(e.size());
    if (e.empty()) {
      out.mu.push_back(kNaN);
      out.mu_star.push_back(kNaN);
      out.sigma.push_back(kNaN);
      continue;
    }
    double sum = 0.0, abs_sum = 0.0;
    for (double v : e) {
      sum += v;
      abs_sum += std::abs(v);
    }
    const double mean = sum / n;
    double ss = 0.0;
    for (double v : e) ss += (v - mean) * (v - mean);
    out.mu.push_back(mean);
    out.mu_star.push_back(abs_sum / n);
    out.sigma.push_back(e.size() > 1 ? std::sqrt(ss / (n - 1.0)) : kNaN);
  }
  return out;
}

std::int64_t saltelli_runs(int factors, std::int64_t base_runs) {
  return base_runs * (static_cast<std::int64_t>(factors) + 2);
}

std::vector<double> saltelli_point(int factors, std::int64_t run) {
  if (factors < 1) throw std::invalid_argument("Sobol indices need at least one factor");
  if (2 * factors > SobolSequence::max_dimensions())
    throw std::invalid_argument("Sobol indices take at most " +
                                std::to_string(SobolSequence::max_dimensions() / 2) +
                                " factors here, not " + std::to_string(factors));
  const std::int64_t per_row = factors + 2;
  const std::int64_t j = run / per_row;
  const int k = static_cast<int>(run % per_row);
  const std::vector<double> ab = SobolSequence(2 * factors).point(static_cast<std::uint64_t>(j));
  const auto d = static_cast<std::size_t>(factors);
  std::vector<double> x(ab.begin(), ab.begin() + static_cast<std::ptrdiff_t>(d));  // A_j
  if (k == factors + 1) {
    x.assign(ab.begin() + static_cast<std::ptrdiff_t>(d), ab.end());  // B_j
  } else if (k >= 1) {
    const auto i = static_cast<std::size_t>(k - 1);
    x[i] = ab[d + i];  // A_B^i: column i from B
  }
  return x;
}

namespace {

/// S1 and ST of every factor from the base rows `rows` (indices into the design's base rows).
void sobol_estimate(int factors, std::span<const double> y, std::span<const std::int64_t> rows,
                    std::vector<double>& S1, std::vector<double>& ST) {
  const std::int64_t per_row = factors + 2;
  const auto d = static_cast<std::size_t>(factors);
  const double n = static_cast<double>(rows.size());
  // Variance of all A and B outputs together (Saltelli et al. 2010).
  double mean = 0.0;
  for (std::int64_t j : rows) mean += y[static_cast<std::size_t>(j * per_row)] + y[static_cast<std::size_t>(j * per_row + per_row - 1)];
  mean /= 2.0 * n;
  double var = 0.0;
  for (std::int64_t j : rows) {
    const double a = y[static_cast<std::size_t>(j * per_row)] - mean;
    const double b = y[static_cast<std::size_t>(j * per_row + per_row - 1)] - mean;
    var += a * a + b * b;
  }
  var /= 2.0 * n;
  S1.assign(d, kNaN);
  ST.assign(d, kNaN);
  if (!(var > 0.0)) return;
  for (std::size_t i = 0; i < d; ++i) {
    double first = 0.0, total = 0.0;
    for (std::int64_t j : rows) {
      const std::size_t base = static_cast<std::size_t>(j * per_row);
      const double fa = y[base], fb = y[base + d + 1], fab = y[base + 1 + i];
      first += fb * (fab - fa);
      total += (fa - fab) * (fa - fab);
    }
    S1[i] = first / n / var;
    ST[i] = 0.5 * total / n / var;
  }
}

}  // namespace

SobolIndices sobol_indices(int factors, std::span<const double> y, int bootstrap,
                           std::uint64_t seed) {
  if (factors < 1) throw std::invalid_argument("Sobol indices need at least one factor");
  const std::int64_t per_row = factors + 2;
  if (y.size() % static_cast<std::size_t>(per_row) != 0)
    throw std::invalid_argument("Sobol indices: " + std::to_string(y.size()) +
                                " outputs are not a whole number of base rows of " +
                                std::to_string(per_row));
  const std::int64_t base = static_cast<std::int64_t>(y.size()) / per_row;
  std::vector<std::int64_t> rows;
  for (std::int64_t j = 0; j < base; ++j) {
    bool finite = true;
    for (std::int64_t k = 0; k < per_row; ++k) finite = finite && std::isfinite(y[static_cast<std::size_t>(j * per_row + k)]);
    if (finite) rows.push_back(j);
  }
  SobolIndices out;
  out.base_runs_used = static_cast<std::int64_t>(rows.size());
  const auto d = static_cast<std::size_t>(factors);
  out.S1_conf.assign(d, kNaN);
  out.ST_conf.assign(d, kNaN);
  if (rows.size() < 2) {
    out.S1.assign(d, kNaN);
    out.ST.assign(d, kNaN);
    return out;
  }
  sobol_estimate(factors, y, rows, out.S1, out.ST);
  if (bootstrap <= 1) return out;

  // Bootstrap over base rows: the spread of the estimates gives normal-theory intervals.
  RandomStream rng(seed);
  std::vector<std::vector<double>> s1(d), st(d);
  std::vector<std::int64_t> sample(rows.size());
  std::vector<double> b1, bt;
  for (int b = 0; b < bootstrap; ++b) {
    for (auto& s : sample) s = rows[static_cast<std::size_t>(rng.below(rows.size()))];
    sobol_estimate(factors, y, sample, b1, bt);
    for (std::size_t i = 0; i < d; ++i) {
      s1[i].push_back(b1[i]);
      st[i].push_back(bt[i]);
    }
  }
  const auto half_width = [](const std::vector<double>& v) {
    double mean = 0.0, n = 0.0;
    for (double x : v)
      if (std::isfinite(x)) mean += x, n += 1.0;
    if (n < 2.0) return kNaN;
    mean /= n;
    double ss = 0.0;
    for (double x : v)
      if (std::isfinite(x)) ss += (x - mean) * (x - mean);
    return kZ95 * std::sqrt(ss / (n - 1.0));
  };
  for (std::size_t i = 0; i < d; ++i) {
    out.S1_conf[i] = half_width(s1[i]);
    out.ST_conf[i] = half_width(st[i]);
  }
  return out;
}

}  // namespace citsim::sweep
